/**
 * The contract every session store keeps. Keys are hashes of the ids that cookies carry (see
 * `session-id.ts`), so a dump of the store cannot be replayed as cookies.
 */

/** Who is signed in, and what the provider said about them. Kept on the server only. */
export interface SignedInUser {
  /** The stable key of the person: `tid:oid` for Entra, `iss:sub` otherwise. */
  readonly key: string;
  readonly name: string;
  readonly claims: Readonly<Record<string, unknown>>;
  readonly idToken: string;
  readonly signedInAt: number;
}

/** JSON the host app keeps in a session of its own (see `EntraSignIn.saveAppData`). */
export type AppSessionData = Readonly<Record<string, unknown>>;

/**
 * What a session holds. Sessions exist only for signed-in people: a sign-in under way lives in
 * its own encrypted cookie until the provider answers, so visitors cost the store nothing.
 */
export interface SessionData {
  readonly user: SignedInUser;
  /** The secret that the session's CSRF tokens are made from. */
  readonly csrfSecret: string;
  /** The host app's own fields; the library never reads them. */
  readonly app?: AppSessionData | undefined;
  /** Where the person signed in from, for the "where you're signed in" page. */
  readonly device?: DeviceAtSignIn | undefined;
}

/** The browser a session was signed in from, as the request said (not secret, not trusted). */
export interface DeviceAtSignIn {
  /** The `User-Agent` header, cut to 512 characters. */
  readonly userAgent: string | null;
  /** The client's address as the adapter saw it (behind a proxy, as far as it is trusted). */
  readonly address: string | null;
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
  const user = session.data.user as SignedInUser | null;
  const sid = user?.claims['sid'];
  return {
    userKey: user?.key ?? null,
    providerSid: typeof sid === 'string' && sid !== '' ? sid : null,
  };
}

/** A session and the key it is stored under, as the listings give them. */
export interface KeyedSession {
  readonly key: string;
  readonly session: StoredSession;
}

/** A promise-based key-value store for sessions. Every method may reject when the store is down. */
export interface SessionStore {
  /** The session under this key, or `null` if there is none or it has expired. */
  get(key: string, now: number): Promise<StoredSession | null>;
  /**
   * Creates or replaces the session under this key, indexed as {@link indexesOf} says. With
   * `tokens`, the session's sealed API tokens are written in the same operation; without, the
   * tokens already stored under the key are kept (a new key has none).
   */
  set(key: string, session: StoredSession, tokens?: string): Promise<void>;
  /**
   * The sealed API tokens of a live session (an opaque string the store never parses), or `null`
   * when it has none, or the session is gone or expired. Kept apart from {@link get}, which must
   * not read them: a page that calls no API never pays for them.
   */
  getTokens(key: string, now: number): Promise<string | null>;
  /**
   * Replaces the sealed API tokens of a live session (`null` removes them). Resolves `false`, and
   * writes nothing, when the session is gone or expired: tokens never bring a session back.
   * Whatever ends a session (delete, the indexes, expiry, purge) removes its tokens with it.
   */
  setTokens(key: string, tokens: string | null, now: number): Promise<boolean>;
  /**
   * Replaces the data and times of a live session of the same person (`userKey` unchanged),
   * keeping its tokens and indexes. Resolves `false`, and writes nothing, when the session is
   * gone, expired by `now`, or someone else's: a session that was ended (by the person on
   * another browser, an administrator, a logout channel) never comes back through a late write.
   */
  replace(key: string, session: StoredSession, now: number): Promise<boolean>;
  /** Moves a session's expiry without rewriting its data. */
  touch(key: string, refreshedAt: number, expiresAt: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Ends every session of one person; returns how many ended. */
  deleteByUser(userKey: string): Promise<number>;
  /**
   * The live sessions of one person (not expired by `now`), found through the person index the
   * store keeps for {@link deleteByUser}; newest (`createdAt`) first.
   */
  listByUser(userKey: string, now: number): Promise<KeyedSession[]>;
  /**
   * The keys of people who have at least one live session, at most `limit` of them (which ones,
   * when there are more, is the store's choice). For an administrator's overview, not a hot path.
   */
  listUsers(now: number, limit: number): Promise<string[]>;
  /** Ends every session signed in through one provider session (`sid`); returns how many. */
  deleteByProviderSid(providerSid: string): Promise<number>;
  /**
   * Records that a one-time value (a spent sign-in `state`, a logout token's `jti`) was used,
   * until `expiresAt`. Resolves `false` when it was already recorded and has not expired: the
   * caller is looking at a replay. Shared by every instance that shares the store.
   */
  markUsed(key: string, expiresAt: number, now: number): Promise<boolean>;
  /** Forgets a record of {@link markUsed}, so that work that failed half-way may be retried. */
  forgetUsed(key: string): Promise<void>;
  /** Removes expired sessions and records; returns how many sessions. */
  purgeExpired(now: number): Promise<number>;
  close(): Promise<void>;
}
