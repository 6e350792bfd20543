import { createClient, type RedisClientType } from 'redis';
import { indexesOf, type StoredSession } from '../core/session/session-store.js';
import { DELETE_INDEXED, LIVE_PEOPLE } from './redis-scripts.js';
import {
  connectionSettings,
  escapeGlob,
  reconnectDelay,
  RedisStoreBase,
  withDeadline,
  type RedisKeyLayout,
  type RedisSessionStoreOptions,
} from './redis-store-base.js';

export type { RedisSessionStoreOptions } from './redis-store-base.js';
export { RedisClusterSessionStore } from './redis-cluster.js';

/** How many keys one SCAN step looks at while listing people; a hint to Redis, not a cap. */
const SCAN_COUNT = 500;

/**
 * Keeps sessions in Redis, so several app instances on several machines share them. Each
 * session is a hash that Redis expires by itself (TTL); people and provider sessions are indexed
 * by sorted sets. Written for a standalone Redis (or one primary); for Redis Cluster, see
 * {@link RedisClusterSessionStore}.
 *
 * While Redis is unreachable every call rejects at once (no offline queue) and the client keeps
 * reconnecting in the background, so the app answers 503 during an outage and recovers alone.
 *
 * @example
 * const store = new RedisSessionStore('rediss://app:secret@redis.example.com:6380');
 * @see https://redis.io/docs/latest/develop/use/keyspace/#key-expiration
 */
export class RedisSessionStore extends RedisStoreBase<RedisClientType> {
  readonly #client: RedisClientType;
  readonly #closeTimeoutMs: number;
  #initialConnection: Promise<void> | null;

  /** Starts connecting to `url` (`redis://` or `rediss://`) without waiting for it. */
  constructor(url: string, options: RedisSessionStoreOptions = {}) {
    const settings = connectionSettings(options);
    super(standaloneKeys(options.keyPrefix ?? 'entra-signin:'), settings);
    this.#closeTimeoutMs = settings.commandTimeoutMs;
    this.#client = createClient({
      url,
      // Queued commands would hold requests for as long as Redis is down; failing them at once
      // gives people a clear 503 page instead of a hanging one.
      disableOfflineQueue: true,
      commandsQueueMaxLength: 10_000,
      commandOptions: { timeout: settings.commandTimeoutMs },
      socket: {
        connectTimeout: settings.connectTimeoutMs,
        reconnectStrategy: (retries) => reconnectDelay(retries, settings.maxReconnectDelayMs),
      },
    });
    // Without a listener an 'error' event would crash the process; the failures reach callers
    // as rejected commands instead.
    this.#client.on('error', () => undefined);
    // A process that has just started may get a request before its first connection is ready;
    // calls wait for that one, at most a connect timeout, but never for later reconnections.
    const connected = this.#client.connect().catch(() => undefined);
    const waited = new Promise<void>((resolve) => {
      setTimeout(resolve, settings.connectTimeoutMs).unref();
    });
    this.#initialConnection = Promise.race([connected, waited]).then(() => {
      this.#initialConnection = null;
    });
  }

  async set(key: string, session: StoredSession, tokens?: string): Promise<void> {
    const sessionKey = this.keys.session(key);
    // A TTL measured from the app's own clock keeps expiry right even when the Redis host's
    // clock (or another instance's) disagrees with ours.
    const ttl = session.expiresAt - session.refreshedAt;
    if (ttl <= 0) {
      await this.send((redis) => redis.del(sessionKey));
      return;
    }
    const { userKey, providerSid } = indexesOf(session);
    await this.send((redis) => {
      // Every field is written each time, so nothing of an earlier session under the key is
      // left but its tokens, which are kept unless new ones come (see SessionStore.set).
      const multi = redis
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
      // An index lives as long as the longest-lived session in it could (NX for a new index,
      // GT to only ever lengthen it), and sheds the members past their absolute lifetime.
      const indexTtl = Math.max(ttl, session.absoluteExpiresAt - session.refreshedAt);
      for (const index of [
        userKey === null ? null : this.keys.userIndex(userKey),
        providerSid === null ? null : this.keys.sidIndex(providerSid),
      ]) {
        if (index === null) continue;
        multi
          .zAdd(index, { score: session.absoluteExpiresAt, value: key })
          .zRemRangeByScore(index, '-inf', `(${session.refreshedAt}`)
          .pExpire(index, indexTtl, 'NX')
          .pExpire(index, indexTtl, 'GT');
      }
      return multi.exec();
    });
  }

  async deleteByUser(userKey: string): Promise<number> {
    return this.#deleteIndexed(this.keys.userIndex(userKey), 'userKey', userKey);
  }

  async deleteByProviderSid(providerSid: string): Promise<number> {
    return this.#deleteIndexed(this.keys.sidIndex(providerSid), 'providerSid', providerSid);
  }

  async listUsers(now: number, limit: number): Promise<string[]> {
    const indexPrefix = this.keys.userIndex('');
    const users = new Set<string>();
    let cursor = '0';
    // SCAN may return a key more than once and walks the whole keyspace, a page at a time; the
    // Set drops repeats, and the walk stops as soon as there are enough people. TYPE skips the
    // session hashes of an app whose prefix happens to be ours followed by `u:`.
    do {
      const page = await this.send((redis) =>
        redis.scan(cursor, {
          MATCH: `${escapeGlob(indexPrefix)}*`,
          COUNT: SCAN_COUNT,
          TYPE: 'zset',
        }),
      );
      cursor = page.cursor;
      const people = page.keys.map((index) => index.slice(indexPrefix.length));
      if (people.length === 0) continue;
      const live = await this.script(LIVE_PEOPLE, page.keys, [
        this.keys.session(''),
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

  protected async connected(): Promise<RedisClientType> {
    if (!this.#client.isReady && this.#initialConnection !== null) await this.#initialConnection;
    // Checked here rather than left to the client: its offline queue is off for commands but
    // not for MULTI, which it would hold until Redis is back.
    if (!this.#client.isReady) throw new Error('Redis is not reachable');
    return this.#client;
  }

  protected async disconnect(): Promise<void> {
    // close() waits for commands in flight, but hangs on a client that never connected.
    if (!this.#client.isReady) {
      this.#client.destroy();
      return;
    }
    await withDeadline(this.#client.close(), this.#closeTimeoutMs).catch(() =>
      this.#client.destroy(),
    );
  }

  // One atomic script: the index and the sessions it names are all on the one server.
  async #deleteIndexed(index: string, field: string, value: string): Promise<number> {
    const count = await this.script(DELETE_INDEXED, [index], [this.keys.session(''), field, value]);
    return typeof count === 'number' ? count : 0;
  }
}

function standaloneKeys(prefix: string): RedisKeyLayout {
  return {
    session: (key) => `${prefix}s:${key}`,
    userIndex: (userKey) => `${prefix}u:${userKey}`,
    sidIndex: (providerSid) => `${prefix}p:${providerSid}`,
    used: (key) => `${prefix}used:${key}`,
  };
}
