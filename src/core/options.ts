/**
 * The one options schema of the library. Options are given in code (or read from the environment
 * by `fromEnv`, which maps variable names onto these), validated once by {@link resolveOptions},
 * and frozen. Every message names the setting as the caller knows it and says what to change.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AppError } from './errors.js';
import { isLoopbackHost } from './loopback.js';
import type { SessionStore } from './session/session-store.js';
import { resolveApi } from './api-options.js';
import {
  clientAssertionName,
  clientAssertionSchema,
  resolveClientAssertion,
} from './credentials/check-client-assertion.js';
import {
  checkAuthority,
  checkCertificate,
  checkStoreSpec,
  resolveBaseUrl,
  resolveMultiTenant,
} from './option-checks.js';
import type {
  DevIdpSettings,
  EntraSignInOptions,
  OidcSettings,
  ResolvedOptions,
  SettingNamer,
} from './option-types.js';

export type * from './option-types.js';
export { checkAuthority, redactUrl, resolveBaseUrl } from './option-checks.js';
/** The tenant id the development identity provider uses, shaped like an Entra tenant id. */
export const DEV_TENANT_ID = 'de7e1000-0000-4000-8000-00000000c0de';
/** The client id the app is registered under at the development identity provider. */
export const DEV_CLIENT_ID = 'entra-signin-dev';
/** The least length of a session secret. */
export const MIN_SECRET_LENGTH = 32;

export const settingNames: unique symbol = Symbol('entra-signin setting names');

const defaultNamer: SettingNamer = (option) =>
  option === 'production' ? 'production: true' : option;

function namerOf(input: EntraSignInOptions): SettingNamer {
  const carried = (input as { [settingNames]?: SettingNamer })[settingNames];
  return typeof carried === 'function' ? carried : defaultNamer;
}

const MAX_DURATION_MS = 365 * 86_400_000;

const schema = z.object({
  baseUrl: z.string(),
  authority: z.string().trim().min(1).optional(),
  tenantId: z.string().trim().min(1).optional(),
  clientId: z.string().trim().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  clientCertificate: z
    .object({
      certificatePem: z.string(),
      privateKeyPem: z.string(),
      certificateFile: z.string().optional(),
    })
    .optional(),
  clientAssertion: clientAssertionSchema.optional(),
  clientAuthMethod: z.enum(['auto', 'client_secret_basic', 'client_secret_post']).default('auto'),
  allowedTenants: z.union([z.string(), z.array(z.string())]).optional(),
  scopes: z.string().default('openid profile email'),
  providerTimeoutMs: z.number().int().positive().max(MAX_DURATION_MS).default(10_000),
  clockToleranceMs: z.number().int().min(0).max(MAX_DURATION_MS).default(60_000),
  routePrefix: z
    .string()
    .regex(/^(\/[A-Za-z0-9._~-]+)*$/)
    .default('/auth'),
  sessionsPage: z.union([z.string().regex(/^(\/[A-Za-z0-9._~-]+)+$/), z.literal(false)]).optional(),
  session: z.object({
    secrets: z.union([z.string(), z.array(z.string())]),
    store: z.union([z.string(), z.custom<SessionStore>(isStore)]).default('memory'),
    idleTimeoutMs: z.number().int().positive().max(MAX_DURATION_MS).default(3_600_000),
    absoluteTimeoutMs: z.number().int().positive().max(MAX_DURATION_MS).default(43_200_000),
    signInTimeoutMs: z.number().int().positive().max(MAX_DURATION_MS).default(900_000),
    cookieName: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .optional(),
  }),
  developmentProvider: z
    .object({
      port: z.number().int().min(0).max(65535),
      accountsFile: z.string().optional(),
    })
    .optional(),
  production: z.boolean().default(false),
  whenSignedOut: z.enum(['status', 'redirect']).default('status'),
  api: z
    .object({
      scopes: z.string().optional(),
      graphUrl: z.string().trim().min(1).optional(),
      tokenEncryptionKeys: z.union([z.string(), z.array(z.string())]).optional(),
      clientCapabilities: z.array(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/)).optional(),
    })
    .default({}),
});

type Parsed = z.infer<typeof schema>;

const OPTION_HINTS: Record<string, string> = {
  scopes: 'a space-separated list of scopes',
  routePrefix: 'a path such as /auth, without a trailing slash',
  sessionsPage: 'a path such as /sessions, or false',
  'session.cookieName': 'letters, digits, - and _ (at most 64)',
  clientAuthMethod: 'auto, client_secret_basic or client_secret_post',
  clientAssertion:
    "a function that resolves to the token, { kind: 'file', path } or { kind: 'managed-identity', endpoint, identityHeader, clientId }",
  whenSignedOut: 'status or redirect',
  'api.clientCapabilities': 'a list of capability names such as cp1',
};

/**
 * Validates options and resolves their defaults. Throws an {@link AppError} `CONFIG_INVALID`
 * whose message lists every problem, each naming the setting through `nameOf`.
 */
export function resolveOptions(
  input: EntraSignInOptions,
  nameOf: SettingNamer = namerOf(input),
): ResolvedOptions {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw configError(
      parsed.error.issues.map((issue) => {
        const path = issue.path.join('.');
        const hint = OPTION_HINTS[path];
        return `${nameOf(path)} is invalid${hint === undefined ? `: ${issue.message}` : `: it must be ${hint}`}`;
      }),
    );
  }
  const problems: string[] = [];
  const resolved = resolveParsed(parsed.data, nameOf, problems);
  if (problems.length > 0) throw configError(problems);
  return resolved;
}

function resolveParsed(o: Parsed, nameOf: SettingNamer, problems: string[]): ResolvedOptions {
  const baseUrl = resolveBaseUrl(o.baseUrl, nameOf, problems);
  if (o.production && baseUrl.startsWith('http:') && !isLoopbackHost(hostOf(baseUrl))) {
    // Over plain http to another host, cookies cannot be Secure and codes travel in the clear.
    problems.push(
      `${nameOf('baseUrl')} must be https when ${nameOf('production')} (http is accepted for this machine only, as behind a local TLS-terminating proxy); you gave "${baseUrl}"`,
    );
  }
  const useDevIdp = o.authority === undefined && o.tenantId === undefined;
  if (useDevIdp && o.developmentProvider === undefined) {
    problems.push(
      `${nameOf('tenantId')} (or ${nameOf('authority')}) is required, with ${nameOf('clientId')} and ${nameOf('clientSecret')}`,
    );
  }
  if (useDevIdp && o.clientAssertion !== undefined) {
    problems.push(
      `${clientAssertionName(o.clientAssertion, nameOf)} needs ${nameOf('tenantId')} (or ${nameOf('authority')}) and ${nameOf('clientId')}: the development identity provider takes its own secret`,
    );
  }
  if (useDevIdp && o.production) {
    problems.push(
      `${nameOf('production')} refuses the development identity provider: set ${nameOf('tenantId')} (or ${nameOf('authority')}), ${nameOf('clientId')} and ${nameOf('clientSecret')}`,
    );
  }
  if (!o.scopes.split(/\s+/).includes('openid')) {
    problems.push(
      `${nameOf('scopes')} must include openid (without it there is no ID token to sign in with)`,
    );
  }
  const devIdp: DevIdpSettings | null =
    useDevIdp && o.developmentProvider !== undefined
      ? Object.freeze({
          port: o.developmentProvider.port,
          tenantId: DEV_TENANT_ID,
          accountsFile: o.developmentProvider.accountsFile,
        })
      : null;
  const oidc =
    devIdp !== null ? devOidcSettings(o, devIdp.port) : externalOidc(o, nameOf, problems);

  const secrets = typeof o.session.secrets === 'string' ? [o.session.secrets] : o.session.secrets;
  if (secrets.length === 0 || secrets.some((s) => s.length < MIN_SECRET_LENGTH)) {
    problems.push(
      `${nameOf('session.secrets')} must be at least ${MIN_SECRET_LENGTH} characters (each, when you list several separated by commas); generate one with: node -e "console.log(crypto.randomBytes(32).toString('base64url'))"`,
    );
  }
  if (typeof o.session.store === 'string') checkStoreSpec(o.session.store, nameOf, problems);
  if (o.session.absoluteTimeoutMs < o.session.idleTimeoutMs) {
    problems.push(
      `${nameOf('session.absoluteTimeoutMs')} must not be shorter than ${nameOf('session.idleTimeoutMs')}`,
    );
  }
  const api = resolveApi(o, oidc.authority, devIdp, secrets, nameOf, problems);
  const secureCookie = baseUrl.startsWith('https:');
  const base = o.session.cookieName ?? 'entra-signin';
  const prefix = o.routePrefix;
  return Object.freeze({
    baseUrl,
    routePrefix: prefix,
    sessionsPage: o.sessionsPage === false ? null : (o.sessionsPage ?? `${prefix}/sessions`),
    redirectUri: `${baseUrl}${prefix}/redirect`,
    postSignOutRedirectUri: `${baseUrl}${prefix}/post_sign_out`,
    oidc: Object.freeze(oidc),
    session: Object.freeze({
      store: o.session.store,
      secrets: Object.freeze([...secrets]),
      idleTimeoutMs: o.session.idleTimeoutMs,
      absoluteTimeoutMs: o.session.absoluteTimeoutMs,
      signInTimeoutMs: o.session.signInTimeoutMs,
      // The __Host- prefix makes the browser refuse the cookie unless it is Secure, host-only
      // and Path=/, so a sibling subdomain cannot plant or overwrite it.
      cookieName: secureCookie ? `__Host-${base}` : base,
      secureCookie,
    }),
    devIdp,
    production: o.production,
    whenSignedOut: o.whenSignedOut,
    api,
  });
}

function devOidcSettings(o: Parsed, devPort: number): OidcSettings {
  return {
    authority: `http://127.0.0.1:${devPort}/${DEV_TENANT_ID}/v2.0`,
    clientId: DEV_CLIENT_ID,
    // The development provider is registered with this secret by whoever starts it.
    clientSecret: o.clientSecret ?? randomBytes(32).toString('base64url'),
    clientCertificate: null,
    clientAssertion: null,
    clientAuthMethod: o.clientAuthMethod,
    scopes: o.scopes,
    timeoutSeconds: Math.ceil(o.providerTimeoutMs / 1000),
    clockToleranceSeconds: Math.round(o.clockToleranceMs / 1000),
    multiTenant: null,
  };
}

function externalOidc(o: Parsed, nameOf: SettingNamer, problems: string[]): OidcSettings {
  const authority = o.authority ?? `https://login.microsoftonline.com/${o.tenantId ?? ''}/v2.0`;
  checkAuthority(authority, nameOf, problems);
  if (o.clientId === undefined) {
    problems.push(
      `${nameOf('clientId')} is required with ${nameOf('tenantId')} or ${nameOf('authority')}: copy the Application (client) ID from the app registration`,
    );
  }
  const certificate =
    o.clientCertificate === undefined
      ? null
      : checkCertificate(o.clientCertificate, nameOf, problems);
  const others = {
    secret: o.clientSecret !== undefined,
    certificate: o.clientCertificate !== undefined,
  };
  const assertion =
    o.clientAssertion === undefined
      ? null
      : resolveClientAssertion(o.clientAssertion, { authority, ...others }, nameOf, problems);
  if (!others.secret && !others.certificate && o.clientAssertion === undefined) {
    problems.push(
      `${nameOf('clientSecret')} (or ${nameOf('clientCertificate')}) is required with ${nameOf('tenantId')} or ${nameOf('authority')}: create a secret under Certificates & secrets in the app registration, or run npm run register; or, without a secret, use a federated credential (${nameOf('clientAssertion')})`,
    );
  }
  return {
    authority: authority.replace(/\/+$/, ''),
    clientId: o.clientId ?? '',
    clientSecret: o.clientSecret ?? '',
    clientCertificate: certificate,
    clientAssertion: assertion,
    clientAuthMethod: o.clientAuthMethod,
    scopes: o.scopes,
    timeoutSeconds: Math.ceil(o.providerTimeoutMs / 1000),
    clockToleranceSeconds: Math.round(o.clockToleranceMs / 1000),
    multiTenant: resolveMultiTenant(authority, o.allowedTenants, nameOf, problems),
  };
}

function hostOf(url: string): string {
  return URL.canParse(url) ? new URL(url).hostname : '';
}

function isStore(value: unknown): value is SessionStore {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { get?: unknown }).get === 'function' &&
    typeof (value as { set?: unknown }).set === 'function'
  );
}

/** The error every configuration problem becomes. */
export function configError(problems: readonly string[]): AppError {
  return new AppError(
    'CONFIG_INVALID',
    `The configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
  );
}
