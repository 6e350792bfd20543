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
  const tid = stringClaim(claims, 'tid');
  const oid = stringClaim(claims, 'oid');
  const key =
    tid !== undefined && oid !== undefined
      ? `entra:${tid}:${oid}`
      : `oidc:${stringClaim(claims, 'iss') ?? ''}:${stringClaim(claims, 'sub') ?? ''}`;
  const name =
    stringClaim(claims, 'name') ??
    stringClaim(claims, 'preferred_username') ??
    stringClaim(claims, 'email') ??
    'there';
  return { key, name, claims: { ...claims }, idToken, signedInAt: now };
}

function stringClaim(claims: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
