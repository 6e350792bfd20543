/**
 * The one options schema of the library. Options are given in code (or read from the environment
 * by `fromEnv`, which maps variable names onto these), validated once by {@link resolveOptions},
 * and frozen. Every message names the setting as the caller knows it and says what to change.
 */
import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import {
  multiTenantCloudOf,
  parseAllowedTenants,
  type MultiTenantSettings,
} from './entra/entra-tenant.js';
import { AppError } from './errors.js';
import { isLoopbackHost } from './loopback.js';
import type { SessionStore } from './session/session-store.js';

/** The tenant id the development identity provider uses, shaped like an Entra tenant id. */
export const DEV_TENANT_ID = 'de7e1000-0000-4000-8000-00000000c0de';
/** The client id the app is registered under at the development identity provider. */
export const DEV_CLIENT_ID = 'entra-signin-dev';
/** The least length of a session secret. */
export const MIN_SECRET_LENGTH = 32;

/** A client certificate and its private key, in PEM (a certificate credential, `private_key_jwt`). */
export interface ClientCertificate {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  /** Where it was read from, for messages (set by `fromEnv`). */
  readonly certificateFile?: string | undefined;
}

/** How the client authenticates with a secret at the token endpoint; `auto` follows discovery. */
export type ClientAuthMethod = 'auto' | 'client_secret_basic' | 'client_secret_post';

/** What the options of {@link createEntraSignIn} hold about sessions. */
export interface SessionOptions {
  /** Cookie-signing secrets, at least 32 characters each: the first signs, all verify. */
  readonly secrets: string | readonly string[];
  /**
   * Where sessions live: a {@link SessionStore}, or `memory` (the default), `sqlite:PATH`,
   * `redis://…`/`rediss://…` (opened through `entra-signin/sqlite` and `entra-signin/redis`).
   */
  readonly store?: SessionStore | string | undefined;
  readonly idleTimeoutMs?: number | undefined;
  readonly absoluteTimeoutMs?: number | undefined;
  /** How long a started sign-in may take before its answer is refused as stale. */
  readonly signInTimeoutMs?: number | undefined;
  /** The cookie's name; `entra-signin` (`__Host-entra-signin` over https) by default. */
  readonly cookieName?: string | undefined;
}

/** The development identity provider to sign in through when no tenant is configured. */
export interface DevelopmentProviderOptions {
  readonly port: number;
  /** A JSON file of accounts besides the demo ones. */
  readonly accountsFile?: string | undefined;
}

/** The options of the library: what `createEntraSignIn` and every adapter take. */
export interface EntraSignInOptions {
  /** The public origin of the app, such as `https://app.example.com` (no path). */
  readonly baseUrl: string;
  /** The OpenID issuer to sign in through; defaults to Entra's for `tenantId`. */
  readonly authority?: string | undefined;
  /** The Entra tenant (Directory id or domain); used when `authority` is not given. */
  readonly tenantId?: string | undefined;
  readonly clientId?: string | undefined;
  readonly clientSecret?: string | undefined;
  readonly clientCertificate?: ClientCertificate | undefined;
  readonly clientAuthMethod?: ClientAuthMethod | undefined;
  /** With a multi-tenant authority (`organizations`, `common`): tenant ids allowed in, or `*`. */
  readonly allowedTenants?: string | readonly string[] | undefined;
  /** The scopes asked for at sign-in, space-separated; must include `openid`. */
  readonly scopes?: string | undefined;
  readonly providerTimeoutMs?: number | undefined;
  readonly clockToleranceMs?: number | undefined;
  /** Where the sign-in routes live (`/auth` by default: `/auth/sign_in`, `/auth/redirect`, …). */
  readonly routePrefix?: string | undefined;
  readonly session: SessionOptions;
  /** Sign in through the development identity provider (no `authority` or `tenantId` then). */
  readonly developmentProvider?: DevelopmentProviderOptions | undefined;
  /** In production the development identity provider is refused and the cookie must be secure. */
  readonly production?: boolean | undefined;
  /** What a guarded route answers to a signed-out visitor: 401 (default) or a redirect to sign in. */
  readonly whenSignedOut?: 'status' | 'redirect' | undefined;
}

/** How the app talks to its OpenID provider, resolved. */
export interface OidcSettings {
  readonly authority: string;
  readonly clientId: string;
  /** Empty when the app authenticates with a certificate instead. */
  readonly clientSecret: string;
  readonly clientCertificate: ClientCertificate | null;
  readonly clientAuthMethod: ClientAuthMethod;
  readonly scopes: string;
  readonly timeoutSeconds: number;
  readonly clockToleranceSeconds: number;
  /** Set when the authority is a multi-tenant Entra authority (`organizations`, `common`). */
  readonly multiTenant: MultiTenantSettings | null;
}

/** Sessions, resolved. */
export interface SessionSettings {
  readonly store: SessionStore | string;
  readonly secrets: readonly string[];
  readonly idleTimeoutMs: number;
  readonly absoluteTimeoutMs: number;
  readonly signInTimeoutMs: number;
  readonly cookieName: string;
  readonly secureCookie: boolean;
}

/** The development identity provider, resolved. */
export interface DevIdpSettings {
  readonly port: number;
  readonly tenantId: string;
  readonly accountsFile: string | undefined;
}

/** The validated, frozen options. */
export interface ResolvedOptions {
  readonly baseUrl: string;
  readonly routePrefix: string;
  readonly redirectUri: string;
  readonly postSignOutRedirectUri: string;
  readonly oidc: OidcSettings;
  readonly session: SessionSettings;
  readonly devIdp: DevIdpSettings | null;
  readonly production: boolean;
  readonly whenSignedOut: 'status' | 'redirect';
}

/** Names a setting in messages: the option path by default, an environment variable for `fromEnv`. */
export type SettingNamer = (option: string) => string;

/**
 * Options may carry the names their settings go by (`fromEnv` puts its environment variables
 * here), so that a wrong value is reported under the name the person actually set.
 */
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
  clientAuthMethod: z.enum(['auto', 'client_secret_basic', 'client_secret_post']).default('auto'),
  allowedTenants: z.union([z.string(), z.array(z.string())]).optional(),
  scopes: z.string().default('openid profile email'),
  providerTimeoutMs: z.number().int().positive().max(MAX_DURATION_MS).default(10_000),
  clockToleranceMs: z.number().int().min(0).max(MAX_DURATION_MS).default(60_000),
  routePrefix: z
    .string()
    .regex(/^(\/[A-Za-z0-9._~-]+)*$/)
    .default('/auth'),
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
});

type Parsed = z.infer<typeof schema>;

const OPTION_HINTS: Record<string, string> = {
  scopes: 'a space-separated list of scopes',
  routePrefix: 'a path such as /auth, without a trailing slash',
  'session.cookieName': 'letters, digits, - and _ (at most 64)',
  clientAuthMethod: 'auto, client_secret_basic or client_secret_post',
  whenSignedOut: 'status or redirect',
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
  const secureCookie = baseUrl.startsWith('https:');
  const base = o.session.cookieName ?? 'entra-signin';
  const prefix = o.routePrefix;
  return Object.freeze({
    baseUrl,
    routePrefix: prefix,
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
  });
}

function devOidcSettings(o: Parsed, devPort: number): OidcSettings {
  return {
    authority: `http://127.0.0.1:${devPort}/${DEV_TENANT_ID}/v2.0`,
    clientId: DEV_CLIENT_ID,
    // The development provider is registered with this secret by whoever starts it.
    clientSecret: o.clientSecret ?? randomBytes(32).toString('base64url'),
    clientCertificate: null,
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
  if (o.clientSecret === undefined && o.clientCertificate === undefined) {
    problems.push(
      `${nameOf('clientSecret')} (or ${nameOf('clientCertificate')}) is required with ${nameOf('tenantId')} or ${nameOf('authority')}: create a secret under Certificates & secrets in the app registration, or run npm run register`,
    );
  }
  return {
    authority: authority.replace(/\/+$/, ''),
    clientId: o.clientId ?? '',
    clientSecret: o.clientSecret ?? '',
    clientCertificate: certificate,
    clientAuthMethod: o.clientAuthMethod,
    scopes: o.scopes,
    timeoutSeconds: Math.ceil(o.providerTimeoutMs / 1000),
    clockToleranceSeconds: Math.round(o.clockToleranceMs / 1000),
    multiTenant: resolveMultiTenant(authority, o.allowedTenants, nameOf, problems),
  };
}

/**
 * A multi-tenant authority lets every Entra tenant in unless told which: the allow-list is
 * required with one, and meaningless (so refused) with any other.
 */
function resolveMultiTenant(
  authority: string,
  allowed: string | readonly string[] | undefined,
  nameOf: SettingNamer,
  problems: string[],
): MultiTenantSettings | null {
  const cloudOrigin = multiTenantCloudOf(authority);
  const name = nameOf('allowedTenants');
  if (cloudOrigin === null) {
    if (allowed !== undefined) {
      problems.push(
        `${name} applies only to a multi-tenant ${nameOf('authority')} (https://login.microsoftonline.com/organizations/v2.0 or …/common/v2.0); remove it or change ${nameOf('authority')} (you gave "${authority}")`,
      );
    }
    return null;
  }
  if (allowed === undefined) {
    problems.push(
      `${name} is required with a multi-tenant ${nameOf('authority')} ("${authority}"): list the Directory (tenant) ids that may sign in, comma-separated, or * for any organisation`,
    );
    return null;
  }
  const list = typeof allowed === 'string' ? allowed : allowed.join(',');
  const before = problems.length;
  const tenants = parseAllowedTenants(list, problems);
  for (let i = before; i < problems.length; i += 1) {
    problems[i] = (problems[i] ?? '').replace(/^ALLOWED_TENANTS/, name);
  }
  return Object.freeze({ cloudOrigin, allowedTenants: tenants });
}

// Checked here, so that a wrong file stops the start with a sentence instead of failing every
// sign-in later.
function checkCertificate(
  given: ClientCertificate,
  nameOf: SettingNamer,
  problems: string[],
): ClientCertificate | null {
  const certName = nameOf('clientCertificate.certificatePem');
  const keyName = nameOf('clientCertificate.privateKeyPem');
  try {
    const certificate = new X509Certificate(given.certificatePem);
    const key = createPrivateKey(given.privateKeyPem);
    if (key.asymmetricKeyType !== 'rsa' || !certificate.checkPrivateKey(key)) {
      problems.push(`${keyName} must be the RSA private key of the certificate in ${certName}`);
      return null;
    }
    return Object.freeze({
      certificatePem: given.certificatePem,
      // PKCS#8 whatever was given (PKCS#1 "RSA PRIVATE KEY" too): what the signer imports.
      privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
      certificateFile: given.certificateFile,
    });
  } catch {
    problems.push(`${certName} must hold a PEM certificate and ${keyName} its PEM private key`);
    return null;
  }
}

/** Checks that an authority is an https URL (http only on this machine) without query or fragment. */
export function checkAuthority(authority: string, nameOf: SettingNamer, problems: string[]): void {
  const name = nameOf('authority');
  if (!URL.canParse(authority)) {
    problems.push(`${name} must be an absolute URL; you gave "${authority}"`);
    return;
  }
  const url = new URL(authority);
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    problems.push(
      `${name} must use https unless it is on this machine (localhost, 127.0.0.1, ::1); you gave "${authority}"`,
    );
  } else if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(`${name} must be an https URL; you gave "${authority}"`);
  }
  if (url.search !== '' || url.hash !== '') {
    problems.push(`${name} must not have a query or fragment; you gave "${authority}"`);
  }
}

/** The origin a base URL names, checked to be an http(s) origin without path, query or fragment. */
export function resolveBaseUrl(value: string, nameOf: SettingNamer, problems: string[]): string {
  const name = nameOf('baseUrl');
  if (!URL.canParse(value)) {
    problems.push(
      `${name} must be an absolute URL such as https://app.example.com; you gave "${value}"`,
    );
    return value;
  }
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(
      `${name} must start with https:// (or http:// on this machine); you gave "${value}"`,
    );
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    problems.push(
      `${name} must be an origin without a path, query or fragment (the app serves from /); you gave "${value}"`,
    );
  }
  return url.origin;
}

/** Checks a store given by name: memory, sqlite:PATH, or a redis(s):// URL. */
function checkStoreSpec(value: string, nameOf: SettingNamer, problems: string[]): void {
  const name = nameOf('session.store');
  if (value === 'memory') return;
  if (value.startsWith('sqlite:')) {
    if (value === 'sqlite:') {
      problems.push(`${name}=sqlite: needs a file path, such as sqlite:./data/sessions.db`);
    }
    return;
  }
  if (value.startsWith('redis://') || value.startsWith('rediss://')) {
    const url = URL.canParse(value) ? new URL(value) : null;
    // The path, if any, is the database number (redis://host:6379/2).
    if (url === null || url.hostname === '' || !/^\/?\d*$/.test(url.pathname)) {
      problems.push(
        `${name} must be a Redis URL such as redis://localhost:6379, rediss://user:password@redis.example.com:6380 (TLS) or redis://localhost:6379/2 (database 2); you gave "${redactUrl(value)}"`,
      );
    }
    return;
  }
  problems.push(
    `${name} must be "memory", "sqlite:PATH" (such as sqlite:./data/sessions.db) or a Redis URL (redis://HOST:PORT or rediss://HOST:PORT for TLS); you gave "${redactUrl(value)}"`,
  );
}

/** A URL with any password replaced: a Redis URL may carry one, and messages must not. */
export function redactUrl(value: string): string {
  return value.replace(/^(\w+:\/\/)[^@/]*@/, '$1***@');
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
