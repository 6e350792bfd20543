/**
 * What `npm run dev-idp` (the development identity provider on its own) is told: its address,
 * where its files go, and the app origins whose redirect URIs it registers. Read from the
 * environment and the command line by {@link readStandaloneSettings}; the entry file is the only
 * reader of `process.env`.
 */
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { optionalText, parseVariables, portVariable } from '../core/from-env.js';
import { isLoopbackHost } from '../core/loopback.js';
import { resolveBaseUrl } from '../core/option-checks.js';
import { configError, MIN_SECRET_LENGTH } from '../core/options.js';

/** The standalone provider's settings, validated. */
export interface StandaloneSettings {
  readonly nodeEnv: string;
  /** The loopback IP address it listens on and names in its issuer. */
  readonly host: string;
  readonly port: number;
  /** Where the generated client secret and signing key are kept. */
  readonly dataDir: string;
  /** DEV_IDP_CLIENT_SECRET; without it, one generated once and kept in `dataDir`. */
  readonly clientSecret: string | undefined;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
  /** `--write-env PATH`: where to write the app's settings. */
  readonly envFile: string | undefined;
  readonly accountsFile: string | undefined;
}

/** The usage text of `npm run dev-idp -- --help`. */
export const STANDALONE_HELP = `Usage: npm run dev-idp [-- --redirect-uri URI ...] [-- --write-env PATH]

Runs the development identity provider on its own, for one or more app instances, and prints
the AUTHORITY, CLIENT_ID and CLIENT_SECRET (with GRAPH_URL and API_SCOPES) they need.

  --redirect-uri URI  register this redirect URI (repeatable), with its sibling .../post_sign_out;
                      without it: BASE_URL/auth/redirect for each origin of BASE_URL
  --write-env PATH    write the settings to PATH, a .env file (mode 0600; its other lines kept)
                      instead of printing them

Environment: DEV_IDP_PORT (5001), DEV_IDP_HOST (127.0.0.1), DEV_IDP_CLIENT_SECRET (else one is
generated once into DATA_DIR/dev-idp-secret), BASE_URL (comma-separated public origins;
http://localhost:5000), AUTH_ROUTE_PREFIX (/auth), DATA_DIR (./data), DEV_IDP_ACCOUNTS_FILE.`;

/** The port it listens on when DEV_IDP_PORT is unset: the one `npm start` uses for its own. */
const DEFAULT_STANDALONE_PORT = 5001;

const envSchema = z.object({
  NODE_ENV: z.string().default('development'),
  DEV_IDP_PORT: portVariable('DEV_IDP_PORT').default(DEFAULT_STANDALONE_PORT),
  DEV_IDP_HOST: z.string().trim().default('127.0.0.1'),
  DEV_IDP_CLIENT_SECRET: optionalText,
  DEV_IDP_ACCOUNTS_FILE: optionalText,
  PORT: portVariable('PORT').default(5000),
  BASE_URL: optionalText,
  AUTH_ROUTE_PREFIX: z
    .string()
    .trim()
    .regex(/^(\/[A-Za-z0-9._~-]+)*$/, 'AUTH_ROUTE_PREFIX must be a path such as /auth')
    .default('/auth'),
  DATA_DIR: z.string().default('./data'),
});

/**
 * The settings `argv` (the arguments after the script's name) and `env` give, with relative
 * paths resolved from `cwd`; `null` when `--help` was asked for. Throws an AppError
 * `CONFIG_INVALID` that lists every problem.
 */
export function readStandaloneSettings(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): StandaloneSettings | null {
  const args = parseCommandLine(argv);
  if (args.help === true) return null;
  const e = parseVariables(envSchema, env);
  const problems: string[] = [];
  if (isIP(e.DEV_IDP_HOST) === 0 || !isLoopbackHost(e.DEV_IDP_HOST)) {
    // The app takes an http AUTHORITY on this machine only; anything wider would need TLS.
    problems.push(
      `DEV_IDP_HOST must be a loopback IP address such as 127.0.0.1 or ::1 (the app accepts an http AUTHORITY on this machine only); you gave "${e.DEV_IDP_HOST}"`,
    );
  }
  if (e.DEV_IDP_CLIENT_SECRET !== undefined && e.DEV_IDP_CLIENT_SECRET.length < MIN_SECRET_LENGTH) {
    problems.push(
      `DEV_IDP_CLIENT_SECRET must be at least ${MIN_SECRET_LENGTH} characters; leave it unset to have one generated and kept in DATA_DIR/dev-idp-secret`,
    );
  }
  const redirectUris =
    args['redirect-uri'] ??
    originsOf(e.BASE_URL ?? `http://localhost:${e.PORT}`, problems).map(
      (origin) => `${origin}${e.AUTH_ROUTE_PREFIX}/redirect`,
    );
  for (const uri of redirectUris) checkRedirectUri(uri, problems);
  if (problems.length > 0) throw configError(problems);
  return Object.freeze({
    nodeEnv: e.NODE_ENV,
    host: e.DEV_IDP_HOST,
    port: e.DEV_IDP_PORT,
    dataDir: resolve(cwd, e.DATA_DIR),
    clientSecret: e.DEV_IDP_CLIENT_SECRET,
    redirectUris: Object.freeze([...new Set(redirectUris)]),
    // The app's post-sign-out URI sits beside its redirect URI: {BASE_URL}{prefix}/post_sign_out.
    postLogoutRedirectUris: Object.freeze([
      ...new Set(redirectUris.map((uri) => new URL('post_sign_out', uri).href)),
    ]),
    envFile: args['write-env'] === undefined ? undefined : resolve(cwd, args['write-env']),
    accountsFile:
      e.DEV_IDP_ACCOUNTS_FILE === undefined ? undefined : resolve(cwd, e.DEV_IDP_ACCOUNTS_FILE),
  });
}

function parseCommandLine(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        'redirect-uri': { type: 'string', multiple: true },
        // Not --env-file: Node 20 takes that for its own option even after the script's name
        // and fails on it (https://github.com/nodejs/node/issues/54232).
        'write-env': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    throw configError([
      `${error instanceof Error ? error.message : String(error)}; see npm run dev-idp -- --help`,
    ]);
  }
}

// BASE_URL names one public origin per app (or balancer) that signs in through this provider.
function originsOf(value: string, problems: string[]): string[] {
  return value
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '')
    .map((origin) => resolveBaseUrl(origin, () => 'BASE_URL', problems));
}

function checkRedirectUri(uri: string, problems: string[]): void {
  const url = URL.canParse(uri) ? new URL(uri) : null;
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hash !== '') {
    problems.push(
      `--redirect-uri must be an absolute http or https URL without a fragment, such as http://localhost:5000/auth/redirect; you gave "${uri}"`,
    );
  }
}
