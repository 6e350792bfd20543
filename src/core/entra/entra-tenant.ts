import { AppError } from '../errors.js';

/** The tenant of personal Microsoft accounts (outlook.com, xbox.com…), not an organisation. */
export const PERSONAL_ACCOUNT_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';

/**
 * The Microsoft Entra cloud hosts whose multi-tenant discovery documents carry the templated
 * issuer `https://{host}/{tenantid}/v2.0`: global, US Government, and China (21Vianet).
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/authentication-national-cloud
 */
export const MICROSOFT_CLOUD_HOSTS: readonly string[] = Object.freeze([
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.partner.microsoftonline.cn',
]);

/** The placeholder Entra puts in the issuer of its multi-tenant discovery documents. */
export const TENANT_PLACEHOLDER = '{tenantid}';

// Entra's tenant ids (`tid`) are GUIDs, always in lower case.
const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Which tenants may sign in through a multi-tenant authority (`ALLOWED_TENANTS`). */
export interface TenantAllowList {
  /** `*`: any organisation's tenant (not personal accounts, unless listed). */
  readonly anyOrganisation: boolean;
  readonly tenants: readonly string[];
}

/** A multi-tenant Entra authority: the cloud it lives in and the tenants it lets in. */
export interface MultiTenantSettings {
  /** `https://login.microsoftonline.com` or another cloud's origin. */
  readonly cloudOrigin: string;
  readonly allowedTenants: TenantAllowList;
}

/**
 * The cloud origin of a multi-tenant Entra authority (`https://{cloud}/organizations/v2.0` or
 * `…/common/v2.0`), or `null` for any other authority.
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri
 */
export function multiTenantCloudOf(authority: string): string | null {
  if (!URL.canParse(authority)) return null;
  const url = new URL(authority);
  if (url.protocol !== 'https:' || !MICROSOFT_CLOUD_HOSTS.includes(url.hostname)) return null;
  return /^\/(organizations|common)\/v2\.0\/?$/i.test(url.pathname) ? url.origin : null;
}

/** Parses `ALLOWED_TENANTS` (a comma list of tenant ids, or `*`); collects what is wrong. */
export function parseAllowedTenants(value: string, problems: string[]): TenantAllowList {
  const entries = value
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== '');
  const wrong = entries.filter((entry) => entry !== '*' && !TENANT_ID.test(entry));
  if (entries.length === 0 || wrong.length > 0) {
    problems.push(
      `ALLOWED_TENANTS must list Directory (tenant) ids, comma-separated, or * for any organisation; you gave "${value}"`,
    );
  }
  return Object.freeze({
    anyOrganisation: entries.includes('*'),
    tenants: Object.freeze(entries.filter((entry) => entry !== '*')),
  });
}

/** Whether a tenant may sign in: listed, or any organisation's with `*` (never personal by `*`). */
export function isTenantAllowed(tid: string, allowed: TenantAllowList): boolean {
  if (allowed.tenants.includes(tid)) return true;
  return allowed.anyOrganisation && tid !== PERSONAL_ACCOUNT_TENANT;
}

/**
 * Checks a token from a multi-tenant authority: its `tid` is a tenant id in the allow-list and
 * its `iss` is the cloud's issuer template filled with that very `tid`. Every tenant's tokens
 * are signed with the same keys, so without this anyone's tenant could sign in.
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#validate-the-issuer
 */
export function checkTenantIssuer(
  claims: Readonly<Record<string, unknown>>,
  settings: MultiTenantSettings,
): string {
  const tid = claims['tid'];
  if (typeof tid !== 'string' || !TENANT_ID.test(tid)) {
    throw new AppError('AUTH_TOKEN_INVALID', 'The token has no tenant id (tid)');
  }
  // Built by concatenation, not String.replace, whose `$` patterns a crafted tid could use.
  if (claims['iss'] !== `${settings.cloudOrigin}/${tid}/v2.0`) {
    throw new AppError('AUTH_TOKEN_INVALID', "The token's issuer is not its own tenant's");
  }
  if (!isTenantAllowed(tid, settings.allowedTenants)) {
    throw new AppError('AUTH_TENANT_NOT_ALLOWED', `Tenant ${tid} is not in ALLOWED_TENANTS`);
  }
  return tid;
}

/** The issuer a multi-tenant discovery document must name: the cloud's template. */
export function issuerTemplateOf(settings: MultiTenantSettings): string {
  return `${settings.cloudOrigin}/${TENANT_PLACEHOLDER}/v2.0`;
}
