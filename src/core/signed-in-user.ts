import type { SignedInUser } from './session/session-store.js';

/**
 * Describes the person an ID token speaks of. People are keyed by tenant and object id (`tid` +
 * `oid`, Entra's stable identifiers), else by issuer and subject; never by `preferred_username`
 * or `email`, which can change hands.
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference
 */
export function describeUser(
  claims: Readonly<Record<string, unknown>>,
  idToken: string,
  now: number,
): SignedInUser {
  const key = userKeysOf(claims)[0] ?? '';
  const name =
    stringClaim(claims, 'name') ??
    stringClaim(claims, 'preferred_username') ??
    stringClaim(claims, 'email') ??
    'there';
  return { key, name, claims: { ...claims }, idToken, signedInAt: now };
}

/**
 * The keys a person's sessions may be stored under, most specific first: `entra:{tid}:{oid}` when
 * the claims carry Entra's ids, and `oidc:{iss}:{sub}` when they carry a subject. The one
 * definition of the format, for sign-in and for logout by `sub`.
 */
export function userKeysOf(claims: Readonly<Record<string, unknown>>): string[] {
  const tid = stringClaim(claims, 'tid');
  const oid = stringClaim(claims, 'oid');
  const iss = stringClaim(claims, 'iss') ?? '';
  const sub = stringClaim(claims, 'sub');
  const keys: string[] = [];
  if (tid !== undefined && oid !== undefined) keys.push(`entra:${tid}:${oid}`);
  if (sub !== undefined || keys.length === 0) keys.push(`oidc:${iss}:${sub ?? ''}`);
  return keys;
}

function stringClaim(claims: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = Object.hasOwn(claims, name) ? claims[name] : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}
