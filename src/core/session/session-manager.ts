import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';
import { generateSessionId, isWellFormedSessionId, sessionKeyFor } from './session-id.js';
import type {
  AppSessionData,
  DeviceAtSignIn,
  KeyedSession,
  SessionData,
  SessionStore,
  SignedInUser,
  StoredSession,
} from './session-store.js';

/** The session lifetimes and the clock. */
export interface SessionManagerOptions {
  readonly idleTimeoutMs: number;
  readonly absoluteTimeoutMs: number;
  /** The clock; tests pass their own. */
  readonly now?: () => number;
}

/** A session loaded for one request. */
export interface ActiveSession {
  readonly id: string;
  readonly data: SessionData;
  readonly stored: StoredSession;
}

/**
 * Creates, loads, refreshes and ends sessions over any {@link SessionStore}: idle timeout
 * (sliding), absolute lifetime, and a fresh id whenever who is signed in changes.
 *
 * @see https://owasp.org/www-project-application-security-verification-standard/ (V3, session management)
 */
export class SessionManager {
  readonly #store: SessionStore;
  readonly #options: SessionManagerOptions;
  readonly #now: () => number;
  // Pushing the idle expiry forward on every request would make every page view a write; we
  // refresh only once a tenth of the idle window has passed, which costs at most that much of it.
  readonly #refreshAfterMs: number;

  constructor(store: SessionStore, options: SessionManagerOptions) {
    this.#store = store;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#refreshAfterMs = Math.max(1000, Math.floor(options.idleTimeoutMs / 10));
  }

  /** Fresh session data for a person who has just signed in, with a new CSRF secret. */
  static dataFor(user: SignedInUser, device?: DeviceAtSignIn): SessionData {
    return {
      user,
      csrfSecret: randomBytes(18).toString('base64url'),
      ...(device === undefined ? {} : { device }),
    };
  }

  /** The live session for this id, or `null` when there is none (unknown, expired, malformed). */
  async load(id: string): Promise<ActiveSession | null> {
    if (!isWellFormedSessionId(id)) return null;
    const key = sessionKeyFor(id);
    const now = this.#now();
    const stored = await this.#call(() => this.#store.get(key, now));
    if (!stored) return null;
    if (stored.absoluteExpiresAt <= now || stored.expiresAt <= now) {
      await this.#call(() => this.#store.delete(key));
      return null;
    }
    if (now - stored.refreshedAt >= this.#refreshAfterMs) {
      const expiresAt = Math.min(now + this.#options.idleTimeoutMs, stored.absoluteExpiresAt);
      await this.#call(() => this.#store.touch(key, now, expiresAt));
      return { id, data: stored.data, stored: { ...stored, refreshedAt: now, expiresAt } };
    }
    return { id, data: stored.data, stored };
  }

  /**
   * Stores `data` under a new id, and ends `previous` if given. Used whenever who is signed in
   * changes, so an id seen before sign-in is worthless after it (no session fixation).
   */
  async start(
    data: SessionData,
    previous?: ActiveSession | null,
    tokensFor?: (sessionKey: string) => string | undefined,
  ): Promise<ActiveSession> {
    const id = generateSessionId();
    const key = sessionKeyFor(id);
    const now = this.#now();
    const stored = this.#timesFor(data, now, now);
    // The session and its API tokens are written together: never one without the other.
    const tokens = tokensFor?.(key);
    await this.#call(() => this.#store.set(key, stored, tokens));
    if (previous) await this.#call(() => this.#store.delete(sessionKeyFor(previous.id)));
    return { id, data, stored };
  }

  /**
   * Replaces the data of a session, keeping its id and its absolute lifetime. Rejects with
   * `NOT_SIGNED_IN` when the session ended meanwhile (it is not brought back).
   */
  async update(session: ActiveSession, data: SessionData): Promise<ActiveSession> {
    const now = this.#now();
    const stored = this.#timesFor(data, session.stored.createdAt, now);
    const key = sessionKeyFor(session.id);
    if (!(await this.#call(() => this.#store.replace(key, stored, now)))) {
      throw new AppError('NOT_SIGNED_IN', 'The session ended while it was being updated');
    }
    return { id: session.id, data, stored };
  }

  /** Replaces the host app's own fields of a session. */
  async saveAppData(session: ActiveSession, app: AppSessionData): Promise<ActiveSession> {
    return this.update(session, { ...session.data, app });
  }

  /** The sealed API tokens of a session, or `null` (see {@link SessionStore.getTokens}). */
  async readTokens(session: ActiveSession): Promise<string | null> {
    return this.#call(() => this.#store.getTokens(sessionKeyFor(session.id), this.#now()));
  }

  /** Replaces a session's sealed API tokens; `false` when the session has ended meanwhile. */
  async writeTokens(session: ActiveSession, tokens: string | null): Promise<boolean> {
    return this.#call(() => this.#store.setTokens(sessionKeyFor(session.id), tokens, this.#now()));
  }

  /** Records a one-time value as used; `false` for a replay (see {@link SessionStore.markUsed}). */
  async markUsed(key: string, expiresAt: number): Promise<boolean> {
    return this.#call(() => this.#store.markUsed(key, expiresAt, this.#now()));
  }

  /** Forgets a record of {@link markUsed}. */
  async forgetUsed(key: string): Promise<void> {
    await this.#call(() => this.#store.forgetUsed(key));
  }

  /** Ends a session. */
  async end(session: ActiveSession): Promise<void> {
    await this.#call(() => this.#store.delete(sessionKeyFor(session.id)));
  }

  /** Ends every session of one person. */
  async endAllFor(userKey: string): Promise<number> {
    return this.#call(() => this.#store.deleteByUser(userKey));
  }

  /** The live sessions of one person, newest first (see {@link SessionStore.listByUser}). */
  async listFor(userKey: string): Promise<KeyedSession[]> {
    return this.#call(() => this.#store.listByUser(userKey, this.#now()));
  }

  /** The keys of people with live sessions, at most `limit`. */
  async listPeople(limit: number): Promise<string[]> {
    return this.#call(() => this.#store.listUsers(this.#now(), limit));
  }

  /** Ends the session stored under `key` (one that a listing gave). */
  async endKey(key: string): Promise<void> {
    await this.#call(() => this.#store.delete(key));
  }

  /** The store key of a session. */
  keyOf(session: ActiveSession): string {
    return sessionKeyFor(session.id);
  }

  /** Ends every session signed in through one provider session (the ID token's `sid`). */
  async endAllForProviderSession(providerSid: string): Promise<number> {
    return this.#call(() => this.#store.deleteByProviderSid(providerSid));
  }

  /** Removes expired sessions from the store. */
  async purgeExpired(): Promise<number> {
    return this.#call(() => this.#store.purgeExpired(this.#now()));
  }

  #timesFor(data: SessionData, createdAt: number, now: number): StoredSession {
    const absoluteExpiresAt = createdAt + this.#options.absoluteTimeoutMs;
    const expiresAt = Math.min(now + this.#options.idleTimeoutMs, absoluteExpiresAt);
    return { data, createdAt, refreshedAt: now, expiresAt, absoluteExpiresAt };
  }

  // A store failure is an outage, not a bug in the request: it becomes a 503 with a clear page.
  async #call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw new AppError('SESSION_STORE_UNAVAILABLE', 'The session store failed', { cause: error });
    }
  }
}
