/**
 * The contract every session store keeps. Keys are hashes of the ids that cookies carry (see
 * `session-id.ts`), so a dump of the store cannot be replayed as cookies.
 */

/** A sign-in that was started and whose answer from the provider has not arrived yet. */
export interface SignInAttempt {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  /** A same-origin path to return to once signed in. */
  readonly returnTo: string;
  readonly startedAt: number;
}

/** Who is signed in, and what the provider said about them. Kept on the server only. */
export interface SignedInUser {
  /** The stable key of the person: `tid:oid` for Entra, `iss:sub` otherwise. */
  readonly key: string;
  readonly name: string;
  readonly claims: Readonly<Record<string, unknown>>;
  readonly idToken: string;
  readonly signedInAt: number;
}

/** What the app keeps in a session. */
export interface SessionData {
  readonly user: SignedInUser | null;
  readonly attempts: readonly SignInAttempt[];
  /** The secret that the session's CSRF tokens are made from. */
  readonly csrfSecret: string;
}

/** A session as the store keeps it. Times are milliseconds since the epoch. */
export interface StoredSession {
  readonly data: SessionData;
  readonly createdAt: number;
  /** When the idle timeout was last pushed forward. */
  readonly refreshedAt: number;
  /** The session ends at this time unless refreshed (idle timeout, capped by the absolute one). */
  readonly expiresAt: number;
  /** The session ends at this time whatever happens (absolute lifetime). */
  readonly absoluteExpiresAt: number;
}

/**
 * What a store indexes a session by, besides its key: the person (to end all their sessions) and
 * the provider's session id, the ID token's `sid` (for front- and back-channel logout).
 */
export interface SessionIndexes {
  readonly userKey: string | null;
  readonly providerSid: string | null;
}

/** The indexes of a session, derived from its data; every store uses this one definition. */
export function indexesOf(session: StoredSession): SessionIndexes {
  const user = session.data.user;
  const sid = user?.claims['sid'];
  return {
    userKey: user?.key ?? null,
    providerSid: typeof sid === 'string' && sid !== '' ? sid : null,
  };
}

/** A promise-based key-value store for sessions. Every method may reject when the store is down. */
export interface SessionStore {
  /** The session under this key, or `null` if there is none or it has expired. */
  get(key: string, now: number): Promise<StoredSession | null>;
  /** Creates or replaces the session under this key, indexed as {@link indexesOf} says. */
  set(key: string, session: StoredSession): Promise<void>;
  /** Moves a session's expiry without rewriting its data. */
  touch(key: string, refreshedAt: number, expiresAt: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Ends every session of one person; returns how many ended. */
  deleteByUser(userKey: string): Promise<number>;
  /** Ends every session signed in through one provider session (`sid`); returns how many. */
  deleteByProviderSid(providerSid: string): Promise<number>;
  /** Removes expired sessions; returns how many. */
  purgeExpired(now: number): Promise<number>;
  close(): Promise<void>;
}
