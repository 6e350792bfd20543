import type { RedisClusterType } from 'redis';
import { parseRedisClusterUrl } from '../core/option-checks.js';
import { indexesOf, type StoredSession } from '../core/session/session-store.js';
import { ClusterConnection } from './redis-cluster-connection.js';
import { DELETE_IF_FIELD, INDEX_SESSION, WRITE_SESSION } from './redis-scripts.js';
import {
  connectionSettings,
  escapeGlob,
  RedisStoreBase,
  type RedisKeyLayout,
  type RedisSessionStoreOptions,
} from './redis-store-base.js';

/** How many keys one SCAN step looks at on one primary; a hint to Redis, not a cap. */
const SCAN_COUNT = 500;

/**
 * Keeps sessions in a Redis Cluster, the way {@link RedisSessionStore} keeps them in one Redis:
 * each session a hash that Redis expires, people and provider sessions indexed by sorted sets.
 *
 * A cluster runs a command or script only on keys of one hash slot, and a session's key comes
 * from its cookie alone, so its person's index lives in another slot, generally on another
 * primary. Every command and script here therefore names exactly one key, and what the
 * standalone store does in one atomic step across keys is a loop of such steps. That stays
 * correct because an index is only ever a hint: it is written before the session it names (so
 * a session that exists is indexed), and whatever reads through it checks the session itself,
 * in the one atomic step that acts on it.
 *
 * While a primary is down (and until its replica takes over) the calls on its slots reject, at
 * once or after the command timeout; the client reconnects forever and follows failovers.
 *
 * @example
 * const store = new RedisClusterSessionStore('redis-cluster://10.0.0.1:6379,10.0.0.2:6379');
 * @see https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags
 */
export class RedisClusterSessionStore extends RedisStoreBase<RedisClusterType> {
  readonly #connection: ClusterConnection;
  readonly #indexPrefix: string;

  /**
   * Starts connecting to the cluster that `url` names without waiting for it:
   * `redis-cluster://[user:password@]host:port,host:port,…`, or `rediss-cluster://` for TLS.
   */
  constructor(url: string, options: RedisSessionStoreOptions = {}) {
    const spec = parseRedisClusterUrl(url);
    if (spec === null) {
      throw new Error(
        'The Redis Cluster session store needs a URL such as redis-cluster://10.0.0.1:6379,10.0.0.2:6379',
      );
    }
    const prefix = options.keyPrefix ?? 'entra-signin:';
    // A hash tag in the prefix would be every key's tag: one slot, one primary, for everything.
    if (/[{}]/.test(prefix)) throw new Error('keyPrefix must not hold { or } in a Redis Cluster');
    const settings = connectionSettings(options);
    super(clusterKeys(prefix), settings);
    this.#indexPrefix = `${prefix}u:{`;
    this.#connection = new ClusterConnection(spec, settings);
  }

  async set(key: string, session: StoredSession, tokens?: string): Promise<void> {
    const sessionKey = this.keys.session(key);
    // TTLs on the app's clock, as in the standalone store.
    const ttl = session.expiresAt - session.refreshedAt;
    if (ttl <= 0) {
      await this.send((redis) => redis.del(sessionKey));
      return;
    }
    const { userKey, providerSid } = indexesOf(session);
    const indexTtl = Math.max(ttl, session.absoluteExpiresAt - session.refreshedAt);
    const indexes = [
      userKey === null ? null : this.keys.userIndex(userKey),
      providerSid === null ? null : this.keys.sidIndex(providerSid),
    ].filter((index) => index !== null);
    // The indexes first: should the session's write then fail, an index names a key that holds
    // nothing, which every reader skips; the other way round, a session could exist that
    // signing its person out everywhere would not find.
    await Promise.all(
      indexes.map((index) =>
        this.script(
          INDEX_SESSION,
          [index],
          [key, session.absoluteExpiresAt, session.refreshedAt, indexTtl],
        ),
      ),
    );
    // Every field is written each time, so nothing of an earlier session under the key is left
    // but its tokens, which are kept unless new ones come (see SessionStore.set).
    const fields = {
      data: JSON.stringify(session.data),
      createdAt: String(session.createdAt),
      refreshedAt: String(session.refreshedAt),
      expiresAt: String(session.expiresAt),
      absoluteExpiresAt: String(session.absoluteExpiresAt),
      userKey: userKey ?? '',
      providerSid: providerSid ?? '',
      ...(tokens === undefined ? {} : { tokens }),
    };
    await this.script(WRITE_SESSION, [sessionKey], [ttl, ...Object.entries(fields).flat()]);
  }

  async deleteByUser(userKey: string): Promise<number> {
    return this.#deleteIndexed(this.keys.userIndex(userKey), 'userKey', userKey);
  }

  async deleteByProviderSid(providerSid: string): Promise<number> {
    return this.#deleteIndexed(this.keys.sidIndex(providerSid), 'providerSid', providerSid);
  }

  async listUsers(now: number, limit: number): Promise<string[]> {
    const pattern = `${escapeGlob(this.#indexPrefix)}*}`;
    const users = new Set<string>();
    // Each key lives on exactly one primary, so the people are what the SCANs of all primaries
    // find together. A primary that does not answer fails the listing: it would be incomplete.
    const primaries = await this.send((redis) => Promise.resolve([...redis.masters]));
    for (const primary of primaries) {
      let cursor = '0';
      do {
        const page = await this.send(async (redis) =>
          (await redis.nodeClient(primary)).scan(cursor, {
            MATCH: pattern,
            COUNT: SCAN_COUNT,
            TYPE: 'zset',
          }),
        );
        cursor = page.cursor;
        // An index outlives the sessions in it, so its existence alone says nothing: a person
        // counts if it still leads to a live session of theirs.
        const people = page.keys.map((index) => index.slice(this.#indexPrefix.length, -1));
        const live = await Promise.all(
          people.map(async (person) => (await this.listByUser(person, now)).length > 0),
        );
        people.forEach((person, i) => {
          if (live[i] === true && users.size < limit) users.add(person);
        });
      } while (cursor !== '0' && users.size < limit);
      if (users.size >= limit) break;
    }
    return [...users];
  }

  protected connected(): Promise<RedisClusterType> {
    return this.#connection.client();
  }

  protected disconnect(): Promise<void> {
    return this.#connection.close();
  }

  /**
   * Ends the sessions an index names that still carry `value` in `field`, one atomic check and
   * delete per session, each in its own slot. Nothing is lost by not being atomic as a whole:
   * a session whose write had finished when this call began is in the index (written first),
   * so it is found and checked; one still being written may outlive the call, as it may in any
   * store; and a key that now holds someone else's session, or none, is left alone. Should a
   * primary not answer, the call rejects rather than report the sessions it could not end.
   *
   * The index itself is left as it is, unlike in the standalone store: a concurrent write may
   * have just indexed a session under it, and removing the index (or members of it) after the
   * fact would hide that session from the next sign-out. The stale members cost one look-up
   * each until writes shed them at their absolute expiry, or the index expires.
   */
  async #deleteIndexed(index: string, field: string, value: string): Promise<number> {
    const keys = await this.send((redis) => redis.zRange(index, 0, -1));
    const deleted = await Promise.all(
      keys.map((key) => this.script(DELETE_IF_FIELD, [this.keys.session(key)], [field, value])),
    );
    return deleted.filter((each) => each === 1).length;
  }
}

/**
 * Each key's hash tag is the id of the record it holds (the session key, the person, the
 * provider session, the used value), so its slot is that of the id alone. No script here spans
 * two keys; a record that had to change together with a session would go under the session's
 * tag, in its slot.
 */
function clusterKeys(prefix: string): RedisKeyLayout {
  return {
    session: (key) => `${prefix}s:{${key}}`,
    userIndex: (userKey) => `${prefix}u:{${userKey}}`,
    sidIndex: (providerSid) => `${prefix}p:{${providerSid}}`,
    used: (key) => `${prefix}used:{${key}}`,
  };
}
