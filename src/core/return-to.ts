/** The longest return address kept, after normalisation. */
export const MAX_RETURN_TO = 512;

/**
 * Keeps a requested return address only if it is a path on this site; anything else becomes `/`.
 * Browsers read `//host`, `/\host` and their encodings as another site, so those are refused too.
 *
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html
 */
export function sanitizeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_RETURN_TO) return '/';
  if (!value.startsWith('/') || value.startsWith('//')) return '/';
  // Backslashes and control characters are read as slashes or dropped by browsers.
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(value)) return '/';
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return '/';
  }
  if (decoded.startsWith('//') || decoded.startsWith('/\\')) return '/';
  const base = 'http://return-to.invalid';
  const url = new URL(value, base);
  if (url.origin !== base) return '/';
  // The URL parser removes dot segments, so `/.//evil.example` comes out as `//evil.example`:
  // what is returned is checked again, not only what was given.
  const normalised = `${url.pathname}${url.search}${url.hash}`;
  // Checked again after normalising, which percent-encodes (a `"` becomes three characters): the
  // address travels in the sign-in cookie, and cookies that grow past what servers accept would
  // lock the person out of the whole site.
  if (normalised.length > MAX_RETURN_TO) return '/';
  return /^[/\\]{2}/.test(normalised) || /^\/%2f|^\/%5c/i.test(normalised) ? '/' : normalised;
}
