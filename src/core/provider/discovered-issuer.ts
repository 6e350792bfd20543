import { AppError } from '../errors.js';
import {
  issuerTemplateOf,
  MICROSOFT_CLOUD_HOSTS,
  type MultiTenantSettings,
} from '../entra/entra-tenant.js';

const GUID_ISSUER_PATH = /^\/[0-9a-f-]{36}\/v2\.0\/?$/;

/**
 * The discovery document must name the configured authority as its issuer (OpenID Connect
 * Discovery §4.3). Two Entra exceptions: a multi-tenant authority names its cloud's template, and
 * a tenant given by domain name (`contoso.onmicrosoft.com`) names the tenant's GUID issuer on the
 * same host. openid-client checks this too, but lets any issuer through for Microsoft and B2C
 * hosts, so we check ourselves.
 *
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
 */
export function checkDiscoveredIssuer(
  issuer: string,
  authority: URL,
  multiTenant: MultiTenantSettings | null,
): void {
  const matches =
    multiTenant !== null
      ? issuer === issuerTemplateOf(multiTenant)
      : URL.canParse(issuer) &&
        (new URL(issuer).href === authority.href ||
          (MICROSOFT_CLOUD_HOSTS.includes(authority.hostname) &&
            // Only a tenant named by domain may resolve to a GUID issuer; a GUID names itself.
            !GUID_ISSUER_PATH.test(authority.pathname) &&
            issuer.startsWith(`${authority.origin}/`) &&
            GUID_ISSUER_PATH.test(new URL(issuer).pathname)));
  if (!matches) {
    throw new AppError(
      'AUTH_DISCOVERY_INVALID',
      'The discovery document names another issuer than AUTHORITY',
    );
  }
}
