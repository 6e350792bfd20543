/**
 * Reads the documented environment variables into {@link EntraSignInOptions}. The caller passes
 * the environment (`fromEnv(process.env)`): the library itself never reads `process.env`.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { federatedOptionsFromEnv } from './credentials/client-assertion-from-env.js';
import { parseDuration } from './duration.js';
import {
  configError,
  MIN_SECRET_LENGTH,
  resolveOptions,
  settingNames,
  type ClientCertificate,
  type EntraSignInOptions,
  type ResolvedOptions,
  type SettingNamer,
} from './options.js';

/** The environment variable behind each option, for messages that name what people set. */
const ENV_NAMES: Record<string, string> = {
  baseUrl: 'BASE_URL',
  authority: 'AUTHORITY',
  tenantId: 'TENANT_ID',
  clientId: 'CLIENT_ID',
  clientSecret: 'CLIENT_SECRET',
  clientCertificate: 'CLIENT_CERTIFICATE_FILE with CLIENT_KEY_FILE',
  'clientCertificate.certificatePem': 'CLIENT_CERTIFICATE_FILE',
  'clientCertificate.privateKeyPem': 'CLIENT_KEY_FILE',
  clientAssertion: 'AZURE_FEDERATED_TOKEN_FILE or MANAGED_IDENTITY_CLIENT_ID',
  'clientAssertion.path': 'AZURE_FEDERATED_TOKEN_FILE',
  'clientAssertion.clientId': 'MANAGED_IDENTITY_CLIENT_ID',
  'clientAssertion.endpoint': 'IDENTITY_ENDPOINT',
  'clientAssertion.identityHeader': 'IDENTITY_HEADER',
  clientAuthMethod: 'CLIENT_AUTH_METHOD',
  allowedTenants: 'ALLOWED_TENANTS',
  scopes: 'SCOPES',
  providerTimeoutMs: 'PROVIDER_TIMEOUT',
  clockToleranceMs: 'CLOCK_TOLERANCE',
  routePrefix: 'AUTH_ROUTE_PREFIX',
  'session.secrets': 'SESSION_SECRET',
  'session.store': 'SESSION_STORE',
  'session.idleTimeoutMs': 'SESSION_IDLE_TIMEOUT',
  'session.absoluteTimeoutMs': 'SESSION_ABSOLUTE_TIMEOUT',
  'session.signInTimeoutMs': 'SIGN_IN_TIMEOUT',
  'developmentProvider.port': 'DEV_IDP_PORT',
  production: 'NODE_ENV=production',
  'api.scopes': 'API_SCOPES',
  'api.graphUrl': 'GRAPH_URL',
  'api.tokenEncryptionKeys': 'TOKEN_ENCRYPTION_KEY',
};

/** Names options by their environment variables. */
export const envNameOf: SettingNamer = (option) => ENV_NAMES[option] ?? option;

/** What {@link fromEnv} needs besides the variables. */
export interface FromEnvOptions {
  /** Where relative paths (DATA_DIR, certificate files, sqlite:) are resolved; default `.`. */
  readonly cwd?: string | undefined;
  /** The port BASE_URL defaults to (`http://localhost:PORT`) when PORT is unset; default 3000. */
  readonly defaultPort?: number | undefined;
  /** The scheme BASE_URL defaults to; `https` when the app serves TLS itself. */
  readonly defaultScheme?: 'http' | 'https' | undefined;
  /** SESSION_STORE when unset; default `memory`. */
  readonly defaultStore?: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

const MAX_DURATION_MS = 365 * 86_400_000;

/** A text variable, trimmed: unset, or set to nothing but spaces, reads as `undefined`. */
export const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

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

/** A port number variable: digits, 0 to 65535. */
export const portVariable = (name: string) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a port number`)
    .transform(Number)
    .refine((n) => n >= 0 && n <= 65535, `${name} must be between 0 and 65535`);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: portVariable('PORT').optional(),
  BASE_URL: optionalText,
  TENANT_ID: optionalText,
  CLIENT_ID: optionalText,
  CLIENT_SECRET: optionalText,
  CLIENT_CERTIFICATE_FILE: optionalText,
  CLIENT_KEY_FILE: optionalText,
  CLIENT_AUTH_METHOD: optionalText,
  // A federated credential: AKS workload identity's variables, or a managed identity's.
  AZURE_FEDERATED_TOKEN_FILE: optionalText,
  AZURE_CLIENT_ID: optionalText,
  AZURE_TENANT_ID: optionalText,
  AZURE_AUTHORITY_HOST: optionalText,
  MANAGED_IDENTITY_CLIENT_ID: optionalText,
  IDENTITY_ENDPOINT: optionalText,
  IDENTITY_HEADER: optionalText,
  AUTHORITY: optionalText,
  ALLOWED_TENANTS: optionalText,
  AUTH_ROUTE_PREFIX: optionalText,
  SCOPES: optionalText,
  PROVIDER_TIMEOUT: duration('PROVIDER_TIMEOUT', '10s'),
  CLOCK_TOLERANCE: duration('CLOCK_TOLERANCE', '60s', { allowZero: true }),
  SESSION_SECRET: optionalText,
  SESSION_STORE: optionalText,
  SESSION_IDLE_TIMEOUT: duration('SESSION_IDLE_TIMEOUT', '1h'),
  SESSION_ABSOLUTE_TIMEOUT: duration('SESSION_ABSOLUTE_TIMEOUT', '12h'),
  SIGN_IN_TIMEOUT: duration('SIGN_IN_TIMEOUT', '15m'),
  DATA_DIR: z.string().default('./data'),
  DEV_IDP_PORT: portVariable('DEV_IDP_PORT').optional(),
  DEV_IDP_ACCOUNTS_FILE: optionalText,
  // Unlike the others, an empty API_SCOPES means something: keep no API tokens.
  API_SCOPES: z.string().trim().optional(),
  GRAPH_URL: optionalText,
  TOKEN_ENCRYPTION_KEY: optionalText,
});

/**
 * Parses environment variables with a schema, or throws `CONFIG_INVALID` listing every problem,
 * each naming its variable.
 */
export function parseVariables<T extends z.ZodType>(schema: T, env: Env): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  throw configError(
    parsed.error.issues.map((issue) =>
      issue.message.includes(String(issue.path[0]))
        ? issue.message
        : `${issue.path.join('.')}: ${issue.message}`,
    ),
  );
}

/**
 * The options the environment describes, validated: TENANT_ID or AUTHORITY, CLIENT_ID and
 * CLIENT_SECRET (or a certificate, or a federated credential: AZURE_FEDERATED_TOKEN_FILE with
 * AKS workload identity's AZURE_* fallbacks, or MANAGED_IDENTITY_CLIENT_ID), BASE_URL, SESSION_SECRET, SESSION_STORE and the timeouts.
 * With neither TENANT_ID nor AUTHORITY, and NODE_ENV not production, it names the development
 * identity provider on PORT+1 (or DEV_IDP_PORT) and, without SESSION_SECRET, a secret generated
 * once under DATA_DIR. Throws an AppError `CONFIG_INVALID` listing every problem.
 */
export function fromEnv(env: Env, options: FromEnvOptions = {}): EntraSignInOptions {
  const cwd = options.cwd ?? '.';
  const e = parseVariables(envSchema, env);
  const problems: string[] = [];
  const production = e.NODE_ENV === 'production';
  const port = e.PORT ?? options.defaultPort ?? 3000;
  const federated = federatedOptionsFromEnv(e, cwd, problems);
  const useDevIdp = federated.tenantId === undefined && federated.authority === undefined;
  const certificate = readClientCertificate(e, cwd, problems);
  const secrets = sessionSecrets(e, production, resolve(cwd, e.DATA_DIR), problems);
  const store = e.SESSION_STORE ?? options.defaultStore ?? 'memory';
  if (problems.length > 0) throw configError(problems);
  const result: EntraSignInOptions = {
    baseUrl: e.BASE_URL ?? `${options.defaultScheme ?? 'http'}://localhost:${port}`,
    authority: federated.authority,
    tenantId: federated.tenantId,
    clientId: federated.clientId,
    clientSecret: e.CLIENT_SECRET,
    clientCertificate: certificate,
    clientAssertion: federated.clientAssertion,
    clientAuthMethod: e.CLIENT_AUTH_METHOD as EntraSignInOptions['clientAuthMethod'],
    allowedTenants: e.ALLOWED_TENANTS,
    scopes: e.SCOPES,
    providerTimeoutMs: e.PROVIDER_TIMEOUT,
    clockToleranceMs: e.CLOCK_TOLERANCE,
    routePrefix: e.AUTH_ROUTE_PREFIX,
    session: {
      secrets,
      store: store.startsWith('sqlite:') ? `sqlite:${resolve(cwd, store.slice(7))}` : store,
      idleTimeoutMs: e.SESSION_IDLE_TIMEOUT,
      absoluteTimeoutMs: e.SESSION_ABSOLUTE_TIMEOUT,
      signInTimeoutMs: e.SIGN_IN_TIMEOUT,
    },
    developmentProvider: useDevIdp
      ? {
          port: e.DEV_IDP_PORT ?? port + 1,
          accountsFile:
            e.DEV_IDP_ACCOUNTS_FILE === undefined
              ? undefined
              : resolve(cwd, e.DEV_IDP_ACCOUNTS_FILE),
        }
      : undefined,
    production,
    api: {
      scopes: e.API_SCOPES,
      graphUrl: e.GRAPH_URL,
      tokenEncryptionKeys: e.TOKEN_ENCRYPTION_KEY?.split(',').map((key) => key.trim()),
    },
  };
  // Not enumerable: spreading the options into others keeps the values, not this naming.
  Object.defineProperty(result, settingNames, { value: envNameOf, enumerable: false });
  return result;
}

/** {@link fromEnv}, then validated by the options schema with messages naming the variables. */
export function resolveFromEnv(env: Env, options: FromEnvOptions = {}): ResolvedOptions {
  return resolveOptions(fromEnv(env, options), envNameOf);
}

function readClientCertificate(
  e: z.infer<typeof envSchema>,
  cwd: string,
  problems: string[],
): ClientCertificate | undefined {
  const { CLIENT_CERTIFICATE_FILE: certFile, CLIENT_KEY_FILE: keyFile } = e;
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) {
    problems.push('CLIENT_CERTIFICATE_FILE and CLIENT_KEY_FILE go together: set both or neither');
    return undefined;
  }
  try {
    return {
      certificatePem: readFileSync(resolve(cwd, certFile), 'utf8'),
      privateKeyPem: readFileSync(resolve(cwd, keyFile), 'utf8'),
      certificateFile: resolve(cwd, certFile),
    };
  } catch {
    problems.push(
      `CLIENT_CERTIFICATE_FILE (${certFile}) and CLIENT_KEY_FILE (${keyFile}) must be readable PEM files`,
    );
    return undefined;
  }
}

function sessionSecrets(
  e: z.infer<typeof envSchema>,
  production: boolean,
  dataDir: string,
  problems: string[],
): string[] {
  if (e.SESSION_SECRET !== undefined) return e.SESSION_SECRET.split(',').map((s) => s.trim());
  if (production) {
    problems.push(
      `SESSION_SECRET is required when NODE_ENV=production: set it to at least ${MIN_SECRET_LENGTH} random characters`,
    );
    return [];
  }
  return [readOrCreateDevSecret(dataDir)];
}

// A development run keeps a generated secret under the data folder so that sessions survive a
// restart without anyone having to invent a secret first. The folder and file are private: the
// secret signs every session cookie. A mode given to writeFileSync applies only to a new file, so
// the mode is set again after writing.
function readOrCreateDevSecret(dataDir: string): string {
  const file = join(dataDir, 'session-secret');
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length >= MIN_SECRET_LENGTH) return secret;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}
