import type { FastifyServerOptions } from 'fastify';
import type { DestinationStream } from 'pino';
import type { Config } from './config.js';

const REDACTED = '[redacted]';

/**
 * Logs without secrets: query values (codes, states) are replaced, cookies and authorization
 * headers removed, and errors logged with their codes rather than the objects they carry (which
 * may hold tokens or claims). This is configuration, so it holds for every log line.
 */
export function logOptions(
  config: Config,
  stream?: DestinationStream,
): Exclude<FastifyServerOptions['logger'], undefined> {
  if (config.logLevel === 'silent') return false;
  // Readable lines for a person at a terminal; JSON lines (one object a line) for machines.
  const pretty = config.nodeEnv === 'development' && stream === undefined;
  return {
    level: config.logLevel,
    ...(stream ? { stream } : {}),
    ...(pretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname', singleLine: true },
          },
        }
      : {}),
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'res.headers["set-cookie"]',
        '*.idToken',
        '*.id_token',
        '*.access_token',
        '*.refresh_token',
        '*.client_secret',
        '*.clientSecret',
      ],
      censor: REDACTED,
    },
    serializers: {
      req: (req: { method: string; url: string; ip: string }) => ({
        method: req.method,
        url: redactQuery(req.url),
        remoteAddress: req.ip,
      }),
      err: serializeError,
    },
  };
}

/** A URL with every query value replaced, so codes and states never reach the log. */
export function redactQuery(url: string): string {
  const at = url.indexOf('?');
  if (at === -1) return url;
  const names = url
    .slice(at + 1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => `${pair.split('=')[0] ?? ''}=${REDACTED}`);
  return `${url.slice(0, at)}?${names.join('&')}`;
}

interface LoggedError {
  [key: string]: unknown;
  type: string;
  message: string;
  stack: string;
  code?: string;
  cause?: LoggedError;
}

function serializeError(error: unknown, depth = 0): LoggedError {
  if (!(error instanceof Error))
    return { type: typeof error, message: 'non-error thrown', stack: '' };
  const logged: LoggedError = {
    type: error.name,
    message: error.message,
    stack: error.stack ?? '',
  };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') logged.code = code;
  if (error.cause !== undefined && depth < 3) logged.cause = serializeError(error.cause, depth + 1);
  return logged;
}
