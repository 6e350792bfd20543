import type { SignedInUser } from './session/session-store.js';

/** The person signed in to a request, as host apps read them. */
export interface SignedInPerson {
  /** A stable key: `entra:{tid}:{oid}` for Entra, `oidc:{iss}:{sub}` otherwise. */
  readonly key: string;
  /** A display name (`name`, else `preferred_username`, else `email`). */
  readonly name: string;
  /** The sign-in name (`preferred_username`, else `email`), when the token has one. */
  readonly username: string | undefined;
  /** Entra's object id of the person, stable across apps of the tenant. */
  readonly oid: string | undefined;
  /** Entra's tenant id. */
  readonly tid: string | undefined;
  /** Every claim of the ID token the person signed in with. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** When they signed in (ms since the epoch). */
  readonly signedInAt: number;
}

/** The host-facing view of a stored user. */
export function personOf(user: SignedInUser): SignedInPerson {
  const text = (name: string) => {
    const value = Object.hasOwn(user.claims, name) ? user.claims[name] : undefined;
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  return Object.freeze({
    key: user.key,
    name: user.name,
    username: text('preferred_username') ?? text('email'),
    oid: text('oid'),
    tid: text('tid'),
    claims: user.claims,
    signedInAt: user.signedInAt,
  });
}
