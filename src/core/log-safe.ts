/**
 * What an attacker controls (the provider's `error` parameter, query parameter names) may reach a
 * log line or a page only in a shape that cannot forge a line or hide in one: a short token of
 * word characters, dots and dashes. Anything else becomes a placeholder.
 */
const SAFE = /^[\w.-]{1,64}$/;

/** The provider's error code when it has the shape of one (`invalid_grant`, `AADSTS50011`). */
export function safeProviderCode(code: string): string {
  return SAFE.test(code) ? code : 'unrecognised_error';
}

/** A name fit for a log message, or a placeholder. */
export function safeForLog(value: string): string {
  return SAFE.test(value) ? value : '(unprintable)';
}
