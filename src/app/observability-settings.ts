/**
 * Readers and checks for the settings of metrics, logs and shutdown, called by `config.ts`
 * (which alone reads the environment). Each adds a sentence that says what to change to
 * `problems`.
 */
import { parseDuration } from '../core/duration.js';

/** Where the Prometheus metrics are served: nowhere unless METRICS_PORT or METRICS_TOKEN is set. */
export interface MetricsSettings {
  /** The port of a listener of their own (METRICS_PORT), or `null` for none. */
  readonly port: number | null;
  /** Where that listener listens (METRICS_HOST): loopback unless told otherwise. */
  readonly host: string;
  /** The bearer token that opens `/metrics` on the public port (METRICS_TOKEN), or `null`. */
  readonly token: string | null;
}

/** How log lines are written: readable lines, or one JSON object a line. */
export type LogFormat = 'pretty' | 'json';

/** Whether the app measures anything at all (metrics cost nothing when nobody can read them). */
export function metricsEnabled(settings: MetricsSettings): boolean {
  return settings.port !== null || settings.token !== null;
}

const MIN_TOKEN_LENGTH = 32;
// RFC 6750 §2.1's b64token: what a bearer token may hold.
const BEARER_TOKEN = /^[A-Za-z0-9._~+/-]+=*$/;

/** METRICS_PORT, METRICS_HOST and METRICS_TOKEN, checked against each other and PORT. */
export function resolveMetrics(
  env: {
    METRICS_PORT?: number | undefined;
    METRICS_HOST?: string | undefined;
    METRICS_TOKEN?: string | undefined;
  },
  appPort: number,
  problems: string[],
): MetricsSettings {
  const port = env.METRICS_PORT ?? null;
  if (env.METRICS_HOST !== undefined && port === null) {
    problems.push(
      'METRICS_HOST only applies to the metrics listener: set METRICS_PORT too, or remove METRICS_HOST',
    );
  }
  if (port !== null && port !== 0 && port === appPort) {
    problems.push(
      `METRICS_PORT must differ from PORT (${appPort}): metrics have a listener of their own, so that the public port never serves them`,
    );
  }
  const token = env.METRICS_TOKEN ?? null;
  if (token !== null && (token.length < MIN_TOKEN_LENGTH || !BEARER_TOKEN.test(token))) {
    problems.push(
      `METRICS_TOKEN must be at least ${MIN_TOKEN_LENGTH} characters of letters, digits and - . _ ~ + / (a bearer token); generate one with: node -e "console.log(crypto.randomBytes(32).toString('base64url'))"`,
    );
  }
  return Object.freeze({ port, host: env.METRICS_HOST ?? '127.0.0.1', token });
}

/** LOG_FORMAT, or its default: readable lines in development, JSON lines elsewhere. */
export function resolveLogFormat(
  value: string | undefined,
  nodeEnv: 'development' | 'production' | 'test',
): LogFormat {
  if (value === 'pretty' || value === 'json') return value;
  return nodeEnv === 'development' ? 'pretty' : 'json';
}

const MAX_SHUTDOWN_TIMEOUT_MS = 3_600_000;

/** SHUTDOWN_TIMEOUT in milliseconds: a duration above 0, at most an hour. */
export function resolveShutdownTimeout(value: string, problems: string[]): number {
  const ms = parseDuration(value);
  if (ms === null || ms < 1 || ms > MAX_SHUTDOWN_TIMEOUT_MS) {
    problems.push(
      `SHUTDOWN_TIMEOUT must be a duration such as 10s, 30s or 2m, above 0 and at most 1h; you gave "${value}"`,
    );
    return 10_000;
  }
  return ms;
}
