import {
  indexesOf,
  type KeyedSession,
  type SessionIndexes,
  type SessionStore,
  type StoredSession,
} from './session-store.js';

interface Entry {
  session: StoredSession;
  indexes: SessionIndexes;
  /** The sealed API tokens, apart from the session that `get` hands out. */
  tokens: string | null;
}

/**
 * Keeps sessions in this process's memory: for tests and throwaway runs. Bounded: past
 * `maxSessions`, the oldest session is dropped first.
 */
export class MemorySessionStore implements SessionStore {
  readonly #entries = new Map<string, Entry>();
  readonly #used = new Map<string, number>();
  readonly #maxSessions: number;
  #closed = false;

  constructor(options: { maxSessions?: number } = {}) {
    this.#maxSessions = options.maxSessions ?? 100_000;
  }

  get(key: string, now: number): Promise<StoredSession | null> {
    if (this.#closed) return closedError();
    const entry = this.#entries.get(key);
    if (!entry) return Promise.resolve(null);
    if (entry.session.expiresAt <= now) {
      this.#entries.delete(key);
      return Promise.resolve(null);
    }
    return Promise.resolve(entry.session);
  }

  set(key: string, session: StoredSession, tokens?: string): Promise<void> {
    if (this.#closed) return closedError();
    const kept = this.#entries.get(key)?.tokens ?? null;
    this.#entries.delete(key);
    this.#entries.set(key, { session, indexes: indexesOf(session), tokens: tokens ?? kept });
    while (this.#entries.size > this.#maxSessions) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
    return Promise.resolve();
  }

  getTokens(key: string, now: number): Promise<string | null> {
    if (this.#closed) return closedError();
    const entry = this.#entries.get(key);
    return Promise.resolve(entry && entry.session.expiresAt > now ? entry.tokens : null);
  }

  setTokens(key: string, tokens: string | null, now: number): Promise<boolean> {
    if (this.#closed) return closedError();
    const entry = this.#entries.get(key);
    if (!entry || entry.session.expiresAt <= now) return Promise.resolve(false);
    entry.tokens = tokens;
    return Promise.resolve(true);
  }

  replace(key: string, session: StoredSession, now: number): Promise<boolean> {
    if (this.#closed) return closedError();
    const entry = this.#entries.get(key);
    const indexes = indexesOf(session);
    if (!entry || entry.session.expiresAt <= now || entry.indexes.userKey !== indexes.userKey) {
      return Promise.resolve(false);
    }
    entry.session = session;
    entry.indexes = indexes;
    return Promise.resolve(true);
  }

  touch(key: string, refreshedAt: number, expiresAt: number): Promise<void> {
    if (this.#closed) return closedError();
    const entry = this.#entries.get(key);
    if (entry) entry.session = { ...entry.session, refreshedAt, expiresAt };
    return Promise.resolve();
  }

  delete(key: string): Promise<void> {
    if (this.#closed) return closedError();
    this.#entries.delete(key);
    return Promise.resolve();
  }

  deleteByUser(userKey: string): Promise<number> {
    return this.#deleteWhere((indexes) => indexes.userKey === userKey);
  }

  listByUser(userKey: string, now: number): Promise<KeyedSession[]> {
    if (this.#closed) return closedError();
    const sessions: KeyedSession[] = [];
    for (const [key, entry] of this.#entries) {
      if (entry.indexes.userKey === userKey && isLive(entry.session, now)) {
        sessions.push({ key, session: entry.session });
      }
    }
    return Promise.resolve(sessions.sort((a, b) => b.session.createdAt - a.session.createdAt));
  }

  listUsers(now: number, limit: number): Promise<string[]> {
    if (this.#closed) return closedError();
    const users = new Set<string>();
    for (const { session, indexes } of this.#entries.values()) {
      if (users.size >= limit) break;
      if (indexes.userKey !== null && isLive(session, now)) users.add(indexes.userKey);
    }
    return Promise.resolve([...users]);
  }

  deleteByProviderSid(providerSid: string): Promise<number> {
    return this.#deleteWhere((indexes) => indexes.providerSid === providerSid);
  }

  #deleteWhere(matches: (indexes: SessionIndexes) => boolean): Promise<number> {
    if (this.#closed) return closedError();
    let count = 0;
    for (const [key, entry] of this.#entries) {
      if (matches(entry.indexes)) {
        this.#entries.delete(key);
        count += 1;
      }
    }
    return Promise.resolve(count);
  }

  markUsed(key: string, expiresAt: number, now: number): Promise<boolean> {
    if (this.#closed) return closedError();
    const known = this.#used.get(key);
    if (known !== undefined && known > now) return Promise.resolve(false);
    this.#used.delete(key);
    this.#used.set(key, expiresAt);
    // Bounded like the sessions: the oldest records go first (they expire first, too).
    while (this.#used.size > this.#maxSessions) {
      const oldest = this.#used.keys().next();
      if (oldest.done === true) break;
      this.#used.delete(oldest.value);
    }
    return Promise.resolve(true);
  }

  forgetUsed(key: string): Promise<void> {
    if (this.#closed) return closedError();
    this.#used.delete(key);
    return Promise.resolve();
  }

  purgeExpired(now: number): Promise<number> {
    if (this.#closed) return closedError();
    for (const [key, expiresAt] of this.#used) if (expiresAt <= now) this.#used.delete(key);
    let count = 0;
    for (const [key, entry] of this.#entries) {
      if (entry.session.expiresAt <= now) {
        this.#entries.delete(key);
        count += 1;
      }
    }
    return Promise.resolve(count);
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#entries.clear();
    this.#used.clear();
    return Promise.resolve();
  }
}

function isLive(session: StoredSession, now: number): boolean {
  return session.expiresAt > now && session.absoluteExpiresAt > now;
}

// Like a real store, a closed one fails every call instead of quietly forgetting.
function closedError(): Promise<never> {
  return Promise.reject(new Error('The memory session store is closed'));
}
