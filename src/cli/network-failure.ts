/**
 * What the command-line tools say when `fetch` got no answer at all: no connection, an unknown
 * host, a reset or a timeout, as opposed to an answer they did not like.
 */
import { isNetworkFailure } from '../core/provider/network-failure.js';

export { isNetworkFailure };

/**
 * A network failure in words: DNS, refused connection, reset or timeout; the system's code
 * (`ECONNREFUSED`, a TLS code, …) when there are no better words. `timeout` says what waited.
 */
export function describeNetworkFailure(error: unknown, timeout = 'no answer in time'): string {
  if (isTimeout(error)) return timeout;
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  switch (cause?.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name is not known (a typo, or no DNS)';
    case 'ECONNREFUSED':
      return 'the connection was refused (nothing listens there)';
    case 'ECONNRESET':
      return 'the connection was reset';
    default:
      return typeof cause?.code === 'string'
        ? cause.code
        : error instanceof Error
          ? error.message
          : 'network error';
  }
}

function isTimeout(error: unknown): boolean {
  if (error instanceof DOMException) return error.name === 'TimeoutError';
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'OAUTH_TIMEOUT' || (error instanceof Error && isTimeout(error.cause));
}
