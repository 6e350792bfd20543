import { createClient, type RedisClientType } from 'redis';
import {
  indexesOf,
  type KeyedSession,
  type SessionData,
  type SessionStore,
  type StoredSession,
} from '../core/session/session-store.js';
import { DELETE_INDEXED, LIVE_PEOPLE, SET_TOKENS, sha1, TOUCH } from './redis-scripts.js';

/** How the Redis store connects; every field has a default fit for a web app. */
export interface RedisSessionStoreOptions {
  /** Prepended to every key, so several apps can share one Redis database. */
  readonly keyPrefix?: string;
  /** How long to wait for a TCP (and TLS) connection before trying again. */
  readonly connectTimeoutMs?: number;
  /** How long one command may take before it fails. */
  readonly commandTimeoutMs?: number;
  /** The longest pause between two reconnection attempts while Redis is down. */
  readonly maxReconnectDelayMs?: number;
}

const FIELDS = ['data', 'createdAt', 'refreshedAt', 'expiresAt', 'absoluteExpiresAt'] as const;

/** How many keys one SCAN step looks at while listing people; a hint to Redis, not a cap. */
const SCAN_COUNT = 500;

/**
 * Keeps sessions in Redis, so several app instances on several machines share them. Each
 * session is a hash that Redis expires by itself (TTL); people and provider sessions are indexed
 * by sorted sets. Written for a standalone Redis (or one primary); not for Redis Cluster.
 *
 * While Redis is unreachable every call rejects at once (no offline queue) and the client keeps
 * reconnecting in the background, so the app answers 503 during an outage and recovers alone.
 *
 * @see https://redis.io/docs/latest/develop/use/keyspace/#key-expiration
 */
export class RedisSessionStore implements SessionStore {
  readonly #client: RedisClientType;
  readonly #prefix: string;
  #initialConnection: Promise<void> | null;
  #closed = false;

  /** Starts connecting to `url` (`redis://` or `rediss://`) without waiting for it. */
  constructor(url: string, options: RedisSessionStoreOptions = {}) {
    const maxDelay = options.maxReconnectDelayMs ?? 2000;
    this.#prefix = options.keyPrefix ?? 'entra-signin:';
    this.#client = createClient({
      url,
      // Queued commands would hold requests for as long as Redis is down; failing them at once
      // gives people a clear 503 page instead of a hanging one.
      disableOfflineQueue: true,
      commandsQueueMaxLength: 10_000,
      commandOptions: { timeout: options.commandTimeoutMs ?? 2000 },
      socket: {
        connectTimeout: options.connectTimeoutMs ?? 2000,
        // Never give up: the store must come back by itself when Redis does. Jitter spreads the
        // reconnections of many instances.
        reconnectStrategy: (retries) =>
          Math.min(50 * 2 ** retries, maxDelay) + Math.floor(Math.random() * 100),
      },
    });
    // Without a listener an 'error' event would crash the process; the failures reach callers
    // as rejected commands instead.
    this.#client.on('error', () => undefined);
    // A process that has just started may get a request before its first connection is ready;
    // calls wait for that one, at most a connect timeout, but never for later reconnections.
    const connected = this.#client.connect().catch(() => undefined);
    const waited = new Promise<void>((resolve) => {
      setTimeout(resolve, options.connectTimeoutMs ?? 2000).unref();
    });
    this.#initialConnection = Promise.race([connected, waited]).then(() => {
      this.#initialConnection = null;
    });
  }

  async get(key: string, now: number): Promise<StoredSession | null> {
    await this.#ready();
    const session = sessionOf(await this.#client.hmGet(this.#sessionKey(key), [...FIELDS]));
    // Redis expires by its own clock; the app's clock decides too, so both agree on "expired".
    if (session === null || session.expiresAt <= now) return null;
    return session;
  }

  async set(key: string, session: StoredSession, tokens?: string): Promise<void> {
    await this.#ready();
    const sessionKey = this.#sessionKey(key);
    // A TTL measured from the app's own clock keeps expiry right even when the Redis host's
    // clock (or another instance's) disagrees with ours.
    const ttl = session.expiresAt - session.refreshedAt;
    if (ttl <= 0) {
      await this.#client.del(sessionKey);
      return;
    }
    const { userKey, providerSid } = indexesOf(session);
    // Every field is written each time, so nothing of an earlier session under the key is left
    // but its tokens, which are kept unless new ones come (see SessionStore.set).
    const multi = this.#client
      .multi()
      .hSet(sessionKey, {
        data: JSON.stringify(session.data),
        createdAt: session.createdAt,
        refreshedAt: session.refreshedAt,
        expiresAt: session.expiresAt,
        absoluteExpiresAt: session.absoluteExpiresAt,
        userKey: userKey ?? '',
        providerSid: providerSid ?? '',
        ...(tokens === undefined ? {} : { tokens }),
      })
      .pExpire(sessionKey, ttl);
    // An index lives as long as the longest-lived session in it could (NX for a new index, GT
    // to only ever lengthen it), and sheds the members that are past their absolute lifetime.
    const indexTtl = Math.max(ttl, session.absoluteExpiresAt - session.refreshedAt);
    for (const index of [
      userKey === null ? null : this.#userIndex(userKey),
      providerSid === null ? null : this.#sidIndex(providerSid),
    ]) {
      if (index === null) continue;
      multi
        .zAdd(index, { score: session.absoluteExpiresAt, value: key })
        .zRemRangeByScore(index, '-inf', `(${session.refreshedAt}`)
        .pExpire(index, indexTtl, 'NX')
        .pExpire(index, indexTtl, 'GT');
    }
    await multi.exec();
  }

  async getTokens(key: string, now: number): Promise<string | null> {
    await this.#ready();
    const [tokens, expiresAt] = await this.#client.hmGet(this.#sessionKey(key), [
      'tokens',
      'expiresAt',
    ]);
    if (tokens == null || expiresAt == null || Number(expiresAt) <= now) return null;
    return tokens;
  }

  async setTokens(key: string, tokens: string | null, now: number): Promise<boolean> {
    await this.#ready();
    const args = tokens === null ? ['0', '', now] : ['1', tokens, now];
    return (await this.#script(SET_TOKENS, [this.#sessionKey(key)], args)) === 1;
  }

  async touch(key: string, refreshedAt: number, expiresAt: number): Promise<void> {
    await this.#ready();
    const ttl = expiresAt - refreshedAt;
    if (ttl <= 0) {
      await this.#client.del(this.#sessionKey(key));
      return;
    }
    await this.#script(TOUCH, [this.#sessionKey(key)], [refreshedAt, expiresAt, ttl]);
  }

  async delete(key: string): Promise<void> {
    await this.#ready();
    // Index entries left behind are skipped by DELETE_INDEXED and shed by later writes.
    await this.#client.del(this.#sessionKey(key));
  }

  async deleteByUser(userKey: string): Promise<number> {
    await this.#ready();
    return this.#deleteIndexed(this.#userIndex(userKey), 'userKey', userKey);
  }

  async listByUser(userKey: string, now: number): Promise<KeyedSession[]> {
    await this.#ready();
    // Scores are absolute expiries, so members past theirs are never fetched.
    const keys = await this.#client.zRange(this.#userIndex(userKey), `(${now}`, '+inf', {
      BY: 'SCORE',
    });
    if (keys.length === 0) return [];
    // One round trip for all the hashes. userKey is read too: the index is a hint, and a key may
    // now hold another person's session.
    const pipeline = this.#client.multi();
    for (const key of keys) pipeline.hmGet(this.#sessionKey(key), [...FIELDS, 'userKey']);
    const replies = (await pipeline.execAsPipeline()) as unknown as (string | null)[][];
    const sessions: KeyedSession[] = [];
    replies.forEach((values, i) => {
      const session = sessionOf(values);
      const key = keys[i];
      if (session === null || key === undefined || values[FIELDS.length] !== userKey) return;
      if (session.expiresAt <= now || session.absoluteExpiresAt <= now) return;
      sessions.push({ key, session });
    });
    return sessions.sort((a, b) => b.session.createdAt - a.session.createdAt);
  }

  async listUsers(now: number, limit: number): Promise<string[]> {
    await this.#ready();
    const indexPrefix = this.#userIndex('');
    const users = new Set<string>();
    let cursor = '0';
    // SCAN may return a key more than once and walks the whole keyspace, a page at a time; the
    // Set drops repeats, and the walk stops as soon as there are enough people. TYPE skips the
    // session hashes of an app whose prefix happens to be ours followed by `u:`.
    do {
      const page = await this.#client.scan(cursor, {
        MATCH: `${escapeGlob(indexPrefix)}*`,
        COUNT: SCAN_COUNT,
        TYPE: 'zset',
      });
      cursor = page.cursor;
      const people = page.keys.map((index) => index.slice(indexPrefix.length));
      if (people.length === 0) continue;
      const live = await this.#script(LIVE_PEOPLE, page.keys, [
        this.#sessionKey(''),
        now,
        ...people,
      ]);
      for (const person of live as string[]) {
        if (users.size >= limit) break;
        users.add(person);
      }
    } while (cursor !== '0' && users.size < limit);
    return [...users];
  }

  async deleteByProviderSid(providerSid: string): Promise<number> {
    await this.#ready();
    return this.#deleteIndexed(this.#sidIndex(providerSid), 'providerSid', providerSid);
  }

  async markUsed(key: string, expiresAt: number, now: number): Promise<boolean> {
    await this.#ready();
    // SET NX is the atomic "first one wins"; the TTL runs on the app's clock, as for sessions.
    const ttl = Math.max(1, expiresAt - now);
    const set = await this.#client.set(this.#usedKey(key), '1', {
      condition: 'NX',
      expiration: { type: 'PX', value: ttl },
    });
    return set === 'OK';
  }

  async forgetUsed(key: string): Promise<void> {
    await this.#ready();
    await this.#client.del(this.#usedKey(key));
  }

  /** Nothing to do: Redis drops expired sessions by itself, and writes prune the indexes. */
  async purgeExpired(_now: number): Promise<number> {
    await this.#ready();
    return 0;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // close() waits for commands in flight, but hangs on a client that never connected.
    if (this.#client.isReady) await this.#client.close();
    else this.#client.destroy();
  }

  async #deleteIndexed(index: string, field: string, value: string): Promise<number> {
    const count = await this.#script(DELETE_INDEXED, [index], [this.#prefix + 's:', field, value]);
    return typeof count === 'number' ? count : 0;
  }

  // EVALSHA saves sending the script each time; Redis forgets scripts on restart, hence EVAL.
  async #script(script: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    const options = { keys, arguments: args.map(String) };
    try {
      return await this.#client.evalSha(sha1(script), options);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.#client.eval(script, options);
    }
  }

  #ready(): Promise<void> | void {
    if (this.#closed) throw new Error('The Redis session store is closed');
    if (this.#initialConnection === null || this.#client.isReady) return;
    return this.#initialConnection;
  }

  #sessionKey(key: string): string {
    return `${this.#prefix}s:${key}`;
  }

  #userIndex(userKey: string): string {
    return `${this.#prefix}u:${userKey}`;
  }

  #usedKey(key: string): string {
    return `${this.#prefix}used:${key}`;
  }

  #sidIndex(providerSid: string): string {
    return `${this.#prefix}p:${providerSid}`;
  }
}

// The session in a hash's FIELDS (in that order), or `null` when the hash is gone.
function sessionOf(values: readonly (string | null | undefined)[]): StoredSession | null {
  const [data, createdAt, refreshedAt, expiresAt, absoluteExpiresAt] = values;
  if (data == null || expiresAt == null) return null;
  return {
    data: JSON.parse(data) as SessionData,
    createdAt: Number(createdAt),
    refreshedAt: Number(refreshedAt),
    expiresAt: Number(expiresAt),
    absoluteExpiresAt: Number(absoluteExpiresAt),
  };
}

// A key prefix is the app's to choose and may hold *, ?, [ or \, which MATCH would read as a
// pattern and so list another app's people.
function escapeGlob(literal: string): string {
  return literal.replace(/[*?[\]\\]/g, '\\$&');
}
