/**
 * The app's configuration: the library's options read from the environment (and `.env`) by the
 * core's `fromEnv`, plus what only the app has (host, port, TLS, proxy, logs). This module is
 * the only reader of `process.env`; what it returns is frozen. Messages say what to change.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { envNameOf, fromEnv, parseVariables, portVariable } from '../core/from-env.js';
import { isLoopbackHost } from '../core/loopback.js';
import {
  configError,
  resolveBaseUrl,
  resolveOptions,
  type ResolvedOptions,
} from '../core/options.js';
import {
  isTrustProxyValue,
  parseTrustProxy,
  resolveHttps,
  type HttpsSetting,
} from './config-checks.js';
import {
  resolveLogFormat,
  resolveMetrics,
  resolveShutdownTimeout,
  type LogFormat,
  type MetricsSettings,
} from './observability-settings.js';
import { checkWorkers, resolveWorkers } from './worker-settings.js';

export { DEV_CLIENT_ID, DEV_TENANT_ID } from '../core/options.js';
export type { OidcSettings, SessionSettings, DevIdpSettings } from '../core/options.js';
export type { HttpsSetting } from './config-checks.js';
export type { LogFormat, MetricsSettings } from './observability-settings.js';
export { isLoopbackHost };

/** The parsed, validated, frozen configuration: the library's options and the app's own. */
export interface Config extends ResolvedOptions {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly host: string;
  readonly port: number;
  readonly https: HttpsSetting;
  readonly trustProxy: boolean | string[];
  readonly logLevel: string;
  /** LOG_FORMAT: `pretty` by default in development, `json` otherwise. */
  readonly logFormat: LogFormat;
  /** Where Prometheus metrics are served (METRICS_PORT, METRICS_HOST, METRICS_TOKEN). */
  readonly metrics: MetricsSettings;
  /** How long a shutdown waits for requests under way (SHUTDOWN_TIMEOUT). */
  readonly shutdownTimeoutMs: number;
  /** How many processes serve the app (WORKERS): 1 by default, one per core for `auto`. */
  readonly workers: number;
  readonly dataDir: string;
  /** The app role that opens `/admin` (ADMIN_ROLE, `Admin` by default). */
  readonly adminRole: string;
}

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

// What only the app reads; the sign-in settings are the core's (src/core/from-env.ts).
const appSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('localhost'),
  PORT: portVariable('PORT').default(5000),
  TRUST_PROXY: optionalText.refine(
    (value) => value === undefined || isTrustProxyValue(value),
    'TRUST_PROXY must be a comma-separated list of the proxy addresses or CIDR ranges to trust (loopback, linklocal and uniquelocal also work), or true or false; a hop count such as 1 trusts no proxy (Fastify cannot tell who sent the header): give the proxy’s address instead',
  ),
  HTTPS: optionalText,
  TLS_CERT_FILE: optionalText,
  TLS_KEY_FILE: optionalText,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: optionalText.refine(
    (value) => value === undefined || value === 'pretty' || value === 'json',
    'LOG_FORMAT must be pretty (readable lines) or json (one JSON object a line)',
  ),
  METRICS_PORT: portVariable('METRICS_PORT').optional(),
  METRICS_HOST: optionalText,
  METRICS_TOKEN: optionalText,
  SHUTDOWN_TIMEOUT: z.string().trim().default('10s'),
  WORKERS: optionalText,
  DATA_DIR: z.string().default('./data'),
  ADMIN_ROLE: z
    .string()
    .trim()
    .regex(
      /^[A-Za-z0-9._-]{1,120}$/,
      'ADMIN_ROLE must be an app role value such as Admin (letters, digits, . _ -)',
    )
    .default('Admin'),
});

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
  const env = parseVariables(appSchema, raw);
  const problems: string[] = [];
  const https = resolveHttps(env, cwd, problems);
  const metrics = resolveMetrics(env, env.PORT, problems);
  const shutdownTimeoutMs = resolveShutdownTimeout(env.SHUTDOWN_TIMEOUT, problems);
  const workers = resolveWorkers(env.WORKERS, problems);
  if (problems.length > 0) throw configError(problems);
  const signIn = resolveOptions(
    {
      ...fromEnv(raw, {
        cwd,
        defaultPort: env.PORT,
        defaultScheme: https.mode === 'off' ? 'http' : 'https',
        defaultStore: 'sqlite:./data/sessions.db',
      }),
      // The app shows "where you're signed in" at the top level, linked from its navigation.
      sessionsPage: '/sessions',
    },
    envNameOf,
  );
  checkWorkers(workers, { store: signIn.session.store, metricsToken: metrics.token }, problems);
  if (problems.length > 0) throw configError(problems);
  return Object.freeze({
    ...signIn,
    nodeEnv: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    https,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    logLevel: env.LOG_LEVEL,
    logFormat: resolveLogFormat(env.LOG_FORMAT, env.NODE_ENV),
    metrics,
    shutdownTimeoutMs,
    workers,
    dataDir: resolve(cwd, env.DATA_DIR),
    adminRole: env.ADMIN_ROLE,
  });
}

/** The variables of `.env` in `cwd`, if there is one. */
export function readDotEnv(cwd: string): Record<string, string> {
  const file = join(cwd, '.env');
  if (!existsSync(file)) return {};
  return parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
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

const cliSchema = appSchema.extend({
  BASE_URL: optionalText,
  TENANT_ID: optionalText,
  CLIENT_ID: optionalText,
  AUTHORITY: optionalText,
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
  const env = parseVariables(cliSchema, { ...readDotEnv(cwd), ...(options.env ?? process.env) });
  const problems: string[] = [];
  const scheme = resolveHttps(env, cwd, problems).mode === 'off' ? 'http' : 'https';
  const baseUrl = resolveBaseUrl(
    env.BASE_URL ?? `${scheme}://localhost:${env.PORT}`,
    envNameOf,
    problems,
  );
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
