/**
 * The one configuration schema. It is the only module that reads `process.env` (and `.env`), it is
 * parsed once at start-up, and what it returns is frozen. Messages say what to change.
 */
import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { isAbsolute, join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import {
  multiTenantCloudOf,
  parseAllowedTenants,
  type MultiTenantSettings,
} from './auth/entra-tenant.js';
import { AppError } from './errors.js';
import { parseDuration } from './duration.js';

/** The tenant id the development identity provider uses, shaped like an Entra tenant id. */
export const DEV_TENANT_ID = 'de7e1000-0000-4000-8000-00000000c0de';
/** The client id the app is registered under at the development identity provider. */
export const DEV_CLIENT_ID = 'entra-signin-dev';

const MIN_SECRET_LENGTH = 32;

export interface OidcSettings {
  /** The issuer the app discovers (`{AUTHORITY}/.well-known/openid-configuration`). */
  readonly authority: string;
  readonly clientId: string;
  /** The client secret; empty when the app authenticates with a certificate instead. */
  readonly clientSecret: string;
  /** A certificate credential (CLIENT_CERTIFICATE_FILE + CLIENT_KEY_FILE), used instead of the secret. */
  readonly clientCertificate: ClientCertificateSetting | null;
  readonly scopes: string;
  /** Seconds to wait for any request to the provider. */
  readonly timeoutSeconds: number;
  /** Seconds of clock difference tolerated when checking `iat`, `exp` and `nbf`. */
  readonly clockToleranceSeconds: number;
  /** Set when AUTHORITY is a multi-tenant Entra authority (`organizations`, `common`). */
  readonly multiTenant: MultiTenantSettings | null;
}

/** A client certificate and its private key, in PEM, read from the files the settings name. */
export interface ClientCertificateSetting {
  readonly certificateFile: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

export interface DevIdpSettings {
  readonly port: number;
  readonly tenantId: string;
  readonly accountsFile: string | undefined;
}

export type SessionStoreSetting =
  | { readonly kind: 'memory' }
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'redis'; readonly url: string };

export interface SessionSettings {
  readonly store: SessionStoreSetting;
  /** Cookie-signing secrets: the first signs, all verify (rotate by prepending a new one). */
  readonly secrets: readonly string[];
  readonly idleTimeoutMs: number;
  readonly absoluteTimeoutMs: number;
  /** How long a started sign-in may take before its answer is refused as stale. */
  readonly signInTimeoutMs: number;
  readonly cookieName: string;
  readonly secureCookie: boolean;
}

export type HttpsSetting =
  | { readonly mode: 'off' }
  | { readonly mode: 'adhoc' }
  | { readonly mode: 'files'; readonly certFile: string; readonly keyFile: string };

/** The parsed, validated, frozen configuration. */
export interface Config {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly host: string;
  readonly port: number;
  /** The public origin, without a trailing slash. */
  readonly baseUrl: string;
  readonly redirectUri: string;
  readonly postSignOutRedirectUri: string;
  readonly https: HttpsSetting;
  readonly trustProxy: boolean | number | string[];
  readonly logLevel: string;
  readonly dataDir: string;
  readonly oidc: OidcSettings;
  /** Set when the app runs against the built-in development identity provider. */
  readonly devIdp: DevIdpSettings | null;
  readonly session: SessionSettings;
}

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

// A year is longer than any timeout here should be, and keeps values far from what Redis and
// timers accept.
const MAX_DURATION_MS = 365 * 86_400_000;

const duration = (name: string, fallback: string, options: { allowZero?: boolean } = {}) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      const least = options.allowZero === true ? 0 : 1;
      if (ms === null || !Number.isSafeInteger(ms) || ms < least || ms > MAX_DURATION_MS) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a duration such as 3600, 90s, 15m or 12h${least === 0 ? '' : ', above 0'}, at most 365d; you gave "${value}"`,
        });
        return z.NEVER;
      }
      return ms;
    });

const port = (name: string) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a port number`)
    .transform(Number)
    .refine((n) => n >= 0 && n <= 65535, `${name} must be between 0 and 65535`);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('localhost'),
  PORT: port('PORT').default(5000),
  BASE_URL: optionalText,
  TENANT_ID: optionalText,
  CLIENT_ID: optionalText,
  CLIENT_SECRET: optionalText,
  CLIENT_CERTIFICATE_FILE: optionalText,
  CLIENT_KEY_FILE: optionalText,
  AUTHORITY: optionalText,
  ALLOWED_TENANTS: optionalText,
  SCOPES: z
    .string()
    .default('openid profile email')
    .refine(
      (scopes) => scopes.split(/\s+/).includes('openid'),
      'SCOPES must include openid (without it there is no ID token to sign in with)',
    ),
  PROVIDER_TIMEOUT: duration('PROVIDER_TIMEOUT', '10s'),
  CLOCK_TOLERANCE: duration('CLOCK_TOLERANCE', '60s', { allowZero: true }),
  SESSION_SECRET: optionalText,
  SESSION_STORE: z.string().default('sqlite:./data/sessions.db'),
  SESSION_IDLE_TIMEOUT: duration('SESSION_IDLE_TIMEOUT', '1h'),
  SESSION_ABSOLUTE_TIMEOUT: duration('SESSION_ABSOLUTE_TIMEOUT', '12h'),
  SIGN_IN_TIMEOUT: duration('SIGN_IN_TIMEOUT', '15m'),
  TRUST_PROXY: optionalText.refine(
    (value) => value === undefined || isTrustProxyValue(value),
    'TRUST_PROXY must be true, false, a hop count, or a comma-separated list of proxy addresses or CIDR ranges (loopback, linklocal and uniquelocal also work)',
  ),
  HTTPS: optionalText,
  TLS_CERT_FILE: optionalText,
  TLS_KEY_FILE: optionalText,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().default('./data'),
  DEV_IDP_PORT: port('DEV_IDP_PORT').optional(),
  DEV_IDP_ACCOUNTS_FILE: optionalText,
});

type Env = z.infer<typeof envSchema>;

export interface LoadConfigOptions {
  /** The variables to read, which win over those in `.env`; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** Where `.env` is read and relative paths are resolved; defaults to the current directory. */
  cwd?: string;
}

/**
 * Reads and validates the configuration. Throws an {@link AppError} with code `CONFIG_INVALID`
 * whose message lists every problem found.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  const raw = { ...readDotEnv(cwd), ...(options.env ?? process.env) };
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) =>
      issue.message.includes(String(issue.path[0]))
        ? issue.message
        : `${issue.path.join('.')}: ${issue.message}`,
    );
    throw configError(problems);
  }
  return Object.freeze(buildConfig(parsed.data, cwd));
}

function buildConfig(env: Env, cwd: string): Config {
  const problems: string[] = [];
  const dataDir = resolve(cwd, env.DATA_DIR);
  const https = resolveHttps(env, cwd, problems);
  const scheme = https.mode === 'off' ? 'http' : 'https';
  const baseUrl = resolveBaseUrl(env.BASE_URL ?? `${scheme}://localhost:${env.PORT}`, problems);
  if (
    env.NODE_ENV === 'production' &&
    baseUrl.startsWith('http:') &&
    !isLoopbackHost(new URL(baseUrl).hostname)
  ) {
    // Over plain http to another host, cookies cannot be Secure and codes travel in the clear.
    problems.push(
      `BASE_URL must be https when NODE_ENV=production (http is accepted for this machine only, as behind a local TLS-terminating proxy); you gave "${baseUrl}"`,
    );
  }
  const useDevIdp = env.TENANT_ID === undefined && env.AUTHORITY === undefined;

  if (useDevIdp && env.NODE_ENV === 'production') {
    problems.push(
      'NODE_ENV=production refuses the development identity provider: set TENANT_ID (or AUTHORITY), CLIENT_ID and CLIENT_SECRET',
    );
  }
  const devIdp: DevIdpSettings | null = useDevIdp
    ? Object.freeze({
        port: env.DEV_IDP_PORT ?? env.PORT + 1,
        tenantId: DEV_TENANT_ID,
        accountsFile:
          env.DEV_IDP_ACCOUNTS_FILE === undefined
            ? undefined
            : resolve(cwd, env.DEV_IDP_ACCOUNTS_FILE),
      })
    : null;

  const oidc = useDevIdp
    ? devOidcSettings(env, devIdp?.port ?? 0)
    : externalOidcSettings(env, cwd, problems);

  const secrets = resolveSessionSecrets(env, dataDir, problems);
  const store = resolveStore(env.SESSION_STORE, cwd, problems);
  if (env.SESSION_ABSOLUTE_TIMEOUT < env.SESSION_IDLE_TIMEOUT) {
    problems.push('SESSION_ABSOLUTE_TIMEOUT must not be shorter than SESSION_IDLE_TIMEOUT');
  }
  if (problems.length > 0) throw configError(problems);

  const secureCookie = baseUrl.startsWith('https:');
  return {
    nodeEnv: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    baseUrl,
    redirectUri: `${baseUrl}/auth/redirect`,
    postSignOutRedirectUri: `${baseUrl}/auth/post_sign_out`,
    https,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    logLevel: env.LOG_LEVEL,
    dataDir,
    oidc: Object.freeze(oidc),
    devIdp,
    session: Object.freeze({
      store,
      secrets: Object.freeze(secrets),
      idleTimeoutMs: env.SESSION_IDLE_TIMEOUT,
      absoluteTimeoutMs: env.SESSION_ABSOLUTE_TIMEOUT,
      signInTimeoutMs: env.SIGN_IN_TIMEOUT,
      // The __Host- prefix makes the browser refuse the cookie unless it is Secure, host-only and
      // Path=/, so a sibling subdomain cannot plant or overwrite it.
      cookieName: secureCookie ? '__Host-entra-signin' : 'entra-signin',
      secureCookie,
    }),
  };
}

function devOidcSettings(env: Env, devPort: number): OidcSettings {
  return {
    authority: `http://127.0.0.1:${devPort}/${DEV_TENANT_ID}/v2.0`,
    clientId: DEV_CLIENT_ID,
    // The development provider runs in the same process and learns this secret from the config.
    clientSecret: randomBytes(32).toString('base64url'),
    clientCertificate: null,
    scopes: env.SCOPES,
    timeoutSeconds: Math.ceil(env.PROVIDER_TIMEOUT / 1000),
    clockToleranceSeconds: Math.round(env.CLOCK_TOLERANCE / 1000),
    multiTenant: null,
  };
}

function externalOidcSettings(env: Env, cwd: string, problems: string[]): OidcSettings {
  const authority =
    env.AUTHORITY ?? `https://login.microsoftonline.com/${env.TENANT_ID ?? ''}/v2.0`;
  checkAuthority(authority, problems);
  if (env.CLIENT_ID === undefined) {
    problems.push(
      'CLIENT_ID is required with TENANT_ID or AUTHORITY: copy the Application (client) ID from the app registration',
    );
  }
  const clientCertificate = readClientCertificate(env, cwd, problems);
  if (env.CLIENT_SECRET === undefined && clientCertificate === null) {
    problems.push(
      'CLIENT_SECRET (or CLIENT_CERTIFICATE_FILE with CLIENT_KEY_FILE) is required with TENANT_ID or AUTHORITY: create a secret under Certificates & secrets in the app registration, or run npm run register',
    );
  }
  return {
    authority: authority.replace(/\/+$/, ''),
    clientId: env.CLIENT_ID ?? '',
    clientSecret: env.CLIENT_SECRET ?? '',
    clientCertificate,
    scopes: env.SCOPES,
    timeoutSeconds: Math.ceil(env.PROVIDER_TIMEOUT / 1000),
    clockToleranceSeconds: Math.round(env.CLOCK_TOLERANCE / 1000),
    multiTenant: resolveMultiTenant(authority, env.ALLOWED_TENANTS, problems),
  };
}

// A multi-tenant authority lets every Entra tenant in unless told which: ALLOWED_TENANTS is
// required with one, and meaningless (so refused) with any other.
function resolveMultiTenant(
  authority: string,
  allowedTenants: string | undefined,
  problems: string[],
): MultiTenantSettings | null {
  const cloudOrigin = multiTenantCloudOf(authority);
  if (cloudOrigin === null) {
    if (allowedTenants !== undefined) {
      problems.push(
        `ALLOWED_TENANTS applies only to a multi-tenant AUTHORITY (https://login.microsoftonline.com/organizations/v2.0 or …/common/v2.0); remove it or change AUTHORITY (you gave "${authority}")`,
      );
    }
    return null;
  }
  if (allowedTenants === undefined) {
    problems.push(
      `ALLOWED_TENANTS is required with a multi-tenant AUTHORITY ("${authority}"): list the Directory (tenant) ids that may sign in, comma-separated, or * for any organisation`,
    );
    return null;
  }
  return Object.freeze({
    cloudOrigin,
    allowedTenants: parseAllowedTenants(allowedTenants, problems),
  });
}

// A certificate credential (private_key_jwt) is what Entra recommends over secrets: the private
// key never leaves this machine. Both files are read once, here.
function readClientCertificate(
  env: Env,
  cwd: string,
  problems: string[],
): ClientCertificateSetting | null {
  const { CLIENT_CERTIFICATE_FILE: certFile, CLIENT_KEY_FILE: keyFile } = env;
  if (certFile === undefined && keyFile === undefined) return null;
  if (certFile === undefined || keyFile === undefined) {
    problems.push('CLIENT_CERTIFICATE_FILE and CLIENT_KEY_FILE go together: set both or neither');
    return null;
  }
  let certificatePem: string;
  let keyPem: string;
  try {
    certificatePem = readFileSync(resolve(cwd, certFile), 'utf8');
    keyPem = readFileSync(resolve(cwd, keyFile), 'utf8');
  } catch {
    problems.push(
      `CLIENT_CERTIFICATE_FILE (${certFile}) and CLIENT_KEY_FILE (${keyFile}) must be readable PEM files`,
    );
    return null;
  }
  // Checked here, so that a wrong file stops the start with a sentence instead of failing every
  // sign-in later.
  try {
    const certificate = new X509Certificate(certificatePem);
    const key = createPrivateKey(keyPem);
    if (key.asymmetricKeyType !== 'rsa' || !certificate.checkPrivateKey(key)) {
      problems.push(
        `CLIENT_KEY_FILE (${keyFile}) must be the RSA private key of the certificate in CLIENT_CERTIFICATE_FILE (${certFile})`,
      );
      return null;
    }
    return {
      certificateFile: resolve(cwd, certFile),
      certificatePem,
      // PKCS#8 whatever the file held (PKCS#1 "RSA PRIVATE KEY" too): what the signer imports.
      privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
  } catch {
    problems.push(
      `CLIENT_CERTIFICATE_FILE (${certFile}) must hold a PEM certificate and CLIENT_KEY_FILE (${keyFile}) its PEM private key`,
    );
    return null;
  }
}

function checkAuthority(authority: string, problems: string[]): void {
  let url: URL;
  try {
    url = new URL(authority);
  } catch {
    problems.push(`AUTHORITY must be an absolute URL; you gave "${authority}"`);
    return;
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    problems.push(
      `AUTHORITY must use https unless it is on this machine (localhost, 127.0.0.1, ::1); you gave "${authority}"`,
    );
  } else if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(`AUTHORITY must be an https URL; you gave "${authority}"`);
  }
  if (url.search !== '' || url.hash !== '') {
    problems.push(`AUTHORITY must not have a query or fragment; you gave "${authority}"`);
  }
}

function resolveBaseUrl(value: string, problems: string[]): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(
      `BASE_URL must be an absolute URL such as https://app.example.com; you gave "${value}"`,
    );
    return value;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(
      `BASE_URL must start with https:// (or http:// on this machine); you gave "${value}"`,
    );
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    problems.push(
      `BASE_URL must be an origin without a path, query or fragment (the app serves from /); you gave "${value}"`,
    );
  }
  return url.origin;
}

function resolveHttps(env: Env, cwd: string, problems: string[]): HttpsSetting {
  if (env.TLS_CERT_FILE !== undefined || env.TLS_KEY_FILE !== undefined) {
    if (env.TLS_CERT_FILE === undefined || env.TLS_KEY_FILE === undefined) {
      problems.push('TLS_CERT_FILE and TLS_KEY_FILE go together: set both or neither');
      return { mode: 'off' };
    }
    return {
      mode: 'files',
      certFile: resolve(cwd, env.TLS_CERT_FILE),
      keyFile: resolve(cwd, env.TLS_KEY_FILE),
    };
  }
  switch (env.HTTPS) {
    case undefined:
    case 'off':
    case 'false':
      return { mode: 'off' };
    case 'adhoc':
    case 'true':
      return { mode: 'adhoc' };
    default:
      problems.push(
        `HTTPS must be "adhoc" (a generated local certificate) or unset; you gave "${env.HTTPS}"`,
      );
      return { mode: 'off' };
  }
}

function resolveSessionSecrets(env: Env, dataDir: string, problems: string[]): string[] {
  if (env.SESSION_SECRET !== undefined) {
    const secrets = env.SESSION_SECRET.split(',').map((s) => s.trim());
    if (secrets.some((s) => s.length < MIN_SECRET_LENGTH)) {
      problems.push(
        `SESSION_SECRET must be at least ${MIN_SECRET_LENGTH} characters (each, when you list several separated by commas); generate one with: node -e "console.log(crypto.randomBytes(32).toString('base64url'))"`,
      );
    }
    return secrets;
  }
  if (env.NODE_ENV === 'production') {
    problems.push(
      `SESSION_SECRET is required when NODE_ENV=production: set it to at least ${MIN_SECRET_LENGTH} random characters`,
    );
    return [];
  }
  return [readOrCreateDevSecret(dataDir)];
}

// A development run keeps a generated secret under the data folder so that sessions survive a
// restart without anyone having to invent a secret first.
function readOrCreateDevSecret(dataDir: string): string {
  const file = join(dataDir, 'session-secret');
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length >= MIN_SECRET_LENGTH) return secret;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

function resolveStore(value: string, cwd: string, problems: string[]): SessionStoreSetting {
  if (value === 'memory') return { kind: 'memory' };
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length);
    if (path === '') {
      problems.push('SESSION_STORE=sqlite: needs a file path, such as sqlite:./data/sessions.db');
    }
    return { kind: 'sqlite', path: isAbsolute(path) ? path : resolve(cwd, path) };
  }
  if (value.startsWith('redis://') || value.startsWith('rediss://')) {
    return resolveRedisStore(value, problems);
  }
  problems.push(
    `SESSION_STORE must be "memory", "sqlite:PATH" (such as sqlite:./data/sessions.db) or a Redis URL (redis://HOST:PORT or rediss://HOST:PORT for TLS); you gave "${redactUrl(value)}"`,
  );
  return { kind: 'memory' };
}

function resolveRedisStore(value: string, problems: string[]): SessionStoreSetting {
  const url = URL.canParse(value) ? new URL(value) : null;
  // The path, if any, is the database number (redis://host:6379/2).
  if (url === null || url.hostname === '' || !/^\/?\d*$/.test(url.pathname)) {
    problems.push(
      `SESSION_STORE must be a Redis URL such as redis://localhost:6379, rediss://user:password@redis.example.com:6380 (TLS) or redis://localhost:6379/2 (database 2); you gave "${redactUrl(value)}"`,
    );
  }
  return { kind: 'redis', url: value };
}

// A Redis URL may carry a password: messages show the rest of it only.
function redactUrl(value: string): string {
  return value.replace(/^(\w+:\/\/)[^@/]*@/, '$1***@');
}

const proxyKeywords = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isTrustProxyValue(value: string): boolean {
  if (value === 'true' || value === 'false' || /^\d+$/.test(value)) return true;
  return value.split(',').every((item) => {
    const [address = '', prefix, extra] = item.trim().split('/');
    if (proxyKeywords.has(address) && prefix === undefined) return true;
    const family = isIP(address);
    if (family === 0 || extra !== undefined) return false;
    return (
      prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128))
    );
  });
}

function parseTrustProxy(value: string | undefined): boolean | number | string[] {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((s) => s.trim());
}

/** True for hosts that can only be this machine. */
export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    hostname === '::1' ||
    /^127(?:\.\d{1,3}){3}$/.test(hostname)
  );
}

function readDotEnv(cwd: string): Record<string, string> {
  const file = join(cwd, '.env');
  if (!existsSync(file)) return {};
  return parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
}

function configError(problems: string[]): AppError {
  return new AppError(
    'CONFIG_INVALID',
    `The configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
  );
}

/** What the command-line tools (`npm run register`, `unregister`, `doctor`) need to know. */
export interface CliSettings {
  /** Microsoft Graph's origin, without the version (national clouds have their own). */
  readonly graphUrl: string;
  /** A Microsoft Graph access token to use instead of signing in with a device code. */
  readonly graphToken: string | undefined;
  /** The public client the device code sign-in uses. */
  readonly graphClientId: string;
  /** Where the device code sign-in happens: `https://login.microsoftonline.com/{tenant}`. */
  readonly loginAuthority: string;
  readonly tenantId: string | undefined;
  readonly clientId: string | undefined;
  readonly baseUrl: string;
  readonly redirectUri: string;
  readonly postSignOutRedirectUri: string;
  readonly dataDir: string;
  /** The `.env` file the tools read and write. */
  readonly envFile: string;
}

// Microsoft Graph Command Line Tools: Microsoft's public client for signing administrators in to
// Graph from a terminal (the one `Connect-MgGraph` uses), so no app has to exist beforehand.
const GRAPH_CLI_CLIENT_ID = '14d82eec-204b-4c2f-b7e8-296a70dab67e';

const cliSchema = envSchema.extend({
  GRAPH_URL: z.string().trim().default('https://graph.microsoft.com'),
  GRAPH_TOKEN: optionalText,
  GRAPH_CLIENT_ID: optionalText,
});

/**
 * Reads the settings of the command-line tools, from the environment and `.env` like
 * {@link loadConfig}, without requiring a complete configuration (registering is how one gets it).
 * Throws an {@link AppError} `CONFIG_INVALID` listing every problem.
 */
export function loadCliSettings(options: LoadConfigOptions = {}): CliSettings {
  const cwd = options.cwd ?? process.cwd();
  const parsed = cliSchema.safeParse({ ...readDotEnv(cwd), ...(options.env ?? process.env) });
  if (!parsed.success) {
    throw configError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const env = parsed.data;
  const problems: string[] = [];
  const scheme = resolveHttps(env, cwd, problems).mode === 'off' ? 'http' : 'https';
  const baseUrl = resolveBaseUrl(env.BASE_URL ?? `${scheme}://localhost:${env.PORT}`, problems);
  const graphUrl = env.GRAPH_URL.replace(/\/+$/, '');
  const graph = URL.canParse(graphUrl) ? new URL(graphUrl) : null;
  // The Graph token travels to GRAPH_URL: plain http only to this machine (tests, a local fake).
  if (
    graph === null ||
    graph.pathname !== '/' ||
    !(graph.protocol === 'https:' || (graph.protocol === 'http:' && isLoopbackHost(graph.hostname)))
  ) {
    problems.push(
      `GRAPH_URL must be Microsoft Graph's https origin without a path, such as https://graph.microsoft.com or https://graph.microsoft.us; you gave "${env.GRAPH_URL}"`,
    );
  }
  if (problems.length > 0) throw configError(problems);
  return Object.freeze({
    graphUrl,
    graphToken: env.GRAPH_TOKEN,
    graphClientId: env.GRAPH_CLIENT_ID ?? GRAPH_CLI_CLIENT_ID,
    loginAuthority:
      env.AUTHORITY?.replace(/\/v2\.0\/*$/, '') ??
      `https://login.microsoftonline.com/${env.TENANT_ID ?? 'organizations'}`,
    tenantId: env.TENANT_ID,
    clientId: env.CLIENT_ID,
    baseUrl,
    redirectUri: `${baseUrl}/auth/redirect`,
    postSignOutRedirectUri: `${baseUrl}/auth/post_sign_out`,
    dataDir: resolve(cwd, env.DATA_DIR),
    envFile: join(cwd, '.env'),
  });
}
