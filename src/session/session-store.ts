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

/** A promise-based key-value store for sessions. Every method may reject when the store is down. */
export interface SessionStore {
  /** The session under this key, or `null` if there is none or it has expired. */
  get(key: string, now: number): Promise<StoredSession | null>;
  /** Creates or replaces the session under this key. `userKey` indexes it for deleteByUser. */
  set(key: string, session: StoredSession, userKey: string | null): Promise<void>;
  /** Moves a session's expiry without rewriting its data. */
  touch(key: string, refreshedAt: number, expiresAt: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Ends every session of one person; returns how many ended. */
  deleteByUser(userKey: string): Promise<number>;
  /** Removes expired sessions; returns how many. */
  purgeExpired(now: number): Promise<number>;
  close(): Promise<void>;
}
