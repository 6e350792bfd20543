/**
 * Whether `error` means that no answer came: `fetch` reports refused connections, DNS failures
 * and resets as `TypeError('fetch failed')`, and timeouts as a `DOMException`; openid-client wraps
 * them in an error of its own, so a few causes down count too.
 */
export function isNetworkFailure(error: unknown, depth = 0): boolean {
  if (error instanceof DOMException) {
    return error.name === 'TimeoutError' || error.name === 'AbortError';
  }
  if (error instanceof TypeError && error.message === 'fetch failed') return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'OAUTH_TIMEOUT' || code === 'OAUTH_ABORT') return true;
  const cause = error instanceof Error ? error.cause : undefined;
  return depth < 3 && cause !== undefined && isNetworkFailure(cause, depth + 1);
}
