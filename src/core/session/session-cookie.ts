import { createHmac, timingSafeEqual } from 'node:crypto';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { SessionSettings } from '../options.js';

/** The cookies of a request, by name, from its `Cookie` header. Malformed pairs are skipped. */
export function readCookies(
  header: string | undefined,
): Readonly<Record<string, string | undefined>> {
  if (header === undefined || header === '') return {};
  try {
    return parseCookie(header);
  } catch {
    return {};
  }
}

/**
 * `value.signature`, the signature an HMAC-SHA256 of the value with the first secret (base64
 * without padding: the format of cookie-signature and @fastify/cookie, so cookies carry over).
 */
export function signCookieValue(value: string, secrets: readonly string[]): string {
  return `${value}.${hmac(value, secrets[0] ?? '')}`;
}

/** The value of a signed cookie when any secret signed it, else `null`. */
export function unsignCookieValue(signed: string, secrets: readonly string[]): string | null {
  const dot = signed.lastIndexOf('.');
  if (dot <= 0) return null;
  const value = signed.slice(0, dot);
  const given = Buffer.from(signed.slice(dot + 1));
  for (const secret of secrets) {
    const expected = Buffer.from(hmac(value, secret));
    if (expected.length === given.length && timingSafeEqual(expected, given)) return value;
  }
  return null;
}

function hmac(value: string, secret: string): string {
  return createHmac('sha256', secret).update(value).digest('base64').replace(/=+$/, '');
}

/** The attributes every cookie of ours carries: HttpOnly, SameSite=Lax, Path=/, Secure on https. */
function attributes(settings: Pick<SessionSettings, 'secureCookie'>) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: settings.secureCookie, path: '/' };
}

/** A `Set-Cookie` value that sets `name` (a session cookie unless `maxAgeSeconds` is given). */
export function setCookie(
  settings: Pick<SessionSettings, 'secureCookie'>,
  name: string,
  value: string,
  maxAgeSeconds?: number,
): string {
  return stringifySetCookie({
    name,
    value,
    ...attributes(settings),
    ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }),
  });
}

/** A `Set-Cookie` value that removes `name`. */
export function clearCookie(settings: Pick<SessionSettings, 'secureCookie'>, name: string): string {
  return stringifySetCookie({
    name,
    value: '',
    ...attributes(settings),
    maxAge: 0,
    expires: new Date(0),
  });
}
