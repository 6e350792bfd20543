/**
 * The one configuration schema. It is the only module that reads `process.env` (and `.env`), it is
 * parsed once at start-up, and what it returns is frozen. Messages say what to change.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import type { MultiTenantSettings } from '../core/entra/entra-tenant.js';
import {
  checkAuthority,
  isLoopbackHost,
  isTrustProxyValue,
  parseTrustProxy,
  readClientCertificate,
  resolveBaseUrl,
  resolveHttps,
  resolveMultiTenant,
  resolveSessionSecrets,
  resolveStore,
} from './config-checks.js';
import { AppError } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';

export { isLoopbackHost } from './config-checks.js';

/** The tenant id the development identity provider uses, shaped like an Entra tenant id. */
export const DEV_TENANT_ID = 'de7e1000-0000-4000-8000-00000000c0de';
/** The client id the app is registered under at the development identity provider. */
export const DEV_CLIENT_ID = 'entra-signin-dev';

/** How the app talks to its OpenID provider. */
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

/** The development identity provider's settings, when no tenant is configured. */
export interface DevIdpSettings {
  readonly port: number;
  readonly tenantId: string;
  readonly accountsFile: string | undefined;
}

/** The session store SESSION_STORE names. */
export type SessionStoreSetting =
  | { readonly kind: 'memory' }
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'redis'; readonly url: string };

/** Sessions: where they live, how long, and their cookie. */
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

/** Whether and how the app serves https itself. */
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

/** The environment as the schema parsed it (for config-checks.ts). */
export type Env = z.infer<typeof envSchema>;

/** Where {@link loadConfig} reads from. */
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
