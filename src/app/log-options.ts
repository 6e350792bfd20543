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
  // LOG_FORMAT: readable lines for a person at a terminal, JSON lines (one object a line) for
  // machines. A stream of the caller's (tests read it) always gets JSON.
  const pretty = config.logFormat === 'pretty' && stream === undefined;
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

// The query parameters whose names are logged (their values never are): the OAuth and OpenID
// ones the routes read. Any other name is the client's to choose, so it is not repeated.
const KNOWN_PARAMETERS = new Set([
  'code',
  'state',
  'session_state',
  'iss',
  'error',
  'error_description',
  'error_uri',
  'sid',
  'post_sign_in_url',
  'client_info',
]);

/**
 * A URL fit for the log: every query value replaced (codes and states never reach the log),
 * names other than the known ones replaced too, and path parameters (`/auth/redirect;code=…`)
 * cut off, so that nothing a client chose is repeated verbatim.
 */
export function redactQuery(url: string): string {
  const at = url.indexOf('?');
  const path = at === -1 ? url : url.slice(0, at);
  const semicolon = path.indexOf(';');
  const safePath = semicolon === -1 ? path : `${path.slice(0, semicolon)};${REDACTED}`;
  if (at === -1) return safePath;
  const names = url
    .slice(at + 1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const name = pair.split('=')[0] ?? '';
      return `${KNOWN_PARAMETERS.has(name) ? name : '(other)'}=${REDACTED}`;
    });
  return `${safePath}?${names.join('&')}`;
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
