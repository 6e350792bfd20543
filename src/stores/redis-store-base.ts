import type { RedisClientType } from 'redis';
import {
  indexesOf,
  type KeyedSession,
  type SessionData,
  type SessionStore,
  type StoredSession,
} from '../core/session/session-store.js';
import { MARK_USED, REPLACE_SESSION, SET_TOKENS, sha1, TOUCH } from './redis-scripts.js';

/** How a Redis store connects; every field has a default fit for a web app. */
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

/** The options with their defaults filled in. */
export type RedisConnectionSettings = Required<Omit<RedisSessionStoreOptions, 'keyPrefix'>>;

/** The defaults of {@link RedisSessionStoreOptions}, over what was given. */
export function connectionSettings(options: RedisSessionStoreOptions): RedisConnectionSettings {
  return {
    connectTimeoutMs: options.connectTimeoutMs ?? 2000,
    commandTimeoutMs: options.commandTimeoutMs ?? 2000,
    maxReconnectDelayMs: options.maxReconnectDelayMs ?? 2000,
  };
}

/**
 * The pause before reconnection attempt `retries`: exponential, capped, never giving up (the
 * store must come back by itself when Redis does). Jitter spreads the reconnections of many
 * instances.
 */
export function reconnectDelay(retries: number, maxDelayMs: number): number {
  return Math.min(50 * 2 ** retries, maxDelayMs) + Math.floor(Math.random() * 100);
}

/** The commands the shared methods send. Each names one key, so a cluster client can route it. */
export type KeyCommands = Pick<RedisClientType, 'hmGet' | 'del' | 'zRange' | 'evalSha' | 'eval'>;

/** Where a Redis store keeps each record. */
export interface RedisKeyLayout {
  session(key: string): string;
  userIndex(userKey: string): string;
  sidIndex(providerSid: string): string;
  used(key: string): string;
}

/** The session fields that `get` reads, in the order that {@link sessionOf} expects them. */
export const FIELDS: readonly string[] = [
  'data',
  'createdAt',
  'refreshedAt',
  'expiresAt',
  'absoluteExpiresAt',
];

/**
 * What the standalone and the cluster Redis stores share: every operation on one session's hash
 * or one record (one key, so one hash slot), the listing of one person's sessions, the timeouts
 * and closing. The stores differ where an operation spans several keys: indexing on write,
 * deleting through an index, and listing people.
 */
export abstract class RedisStoreBase<C extends KeyCommands> implements SessionStore {
  protected readonly keys: RedisKeyLayout;
  readonly #commandTimeoutMs: number;
  #closed = false;

  protected constructor(keys: RedisKeyLayout, settings: RedisConnectionSettings) {
    this.keys = keys;
    this.#commandTimeoutMs = settings.commandTimeoutMs;
  }

  /**
   * The client to send with now. Waits for the first connection, at most a connect timeout, and
   * rejects while Redis cannot take commands: failing at once gives people a clear 503 page
   * rather than a hanging one.
   */
  protected abstract connected(): Promise<C> | C;

  /** Closes the connections, waiting for commands in flight but never hanging. */
  protected abstract disconnect(): Promise<void>;

  abstract set(key: string, session: StoredSession, tokens?: string): Promise<void>;
  abstract deleteByUser(userKey: string): Promise<number>;
  abstract deleteByProviderSid(providerSid: string): Promise<number>;
  abstract listUsers(now: number, limit: number): Promise<string[]>;

  async get(key: string, now: number): Promise<StoredSession | null> {
    const values = await this.send((redis) => redis.hmGet(this.keys.session(key), [...FIELDS]));
    const session = sessionOf(values);
    // Redis expires by its own clock; the app's clock decides too, so both agree on "expired".
    if (session === null || session.expiresAt <= now) return null;
    return session;
  }

  async getTokens(key: string, now: number): Promise<string | null> {
    const [tokens, expiresAt] = await this.send((redis) =>
      redis.hmGet(this.keys.session(key), ['tokens', 'expiresAt']),
    );
    if (tokens == null || expiresAt == null || Number(expiresAt) <= now) return null;
    return tokens;
  }

  async setTokens(key: string, tokens: string | null, now: number): Promise<boolean> {
    const args = tokens === null ? ['0', '', now] : ['1', tokens, now];
    return (await this.script(SET_TOKENS, [this.keys.session(key)], args)) === 1;
  }

  async replace(key: string, session: StoredSession, now: number): Promise<boolean> {
    const ttl = session.expiresAt - session.refreshedAt;
    if (ttl <= 0) return false;
    const args = [
      now,
      indexesOf(session).userKey ?? '',
      JSON.stringify(session.data),
      session.createdAt,
      session.refreshedAt,
      session.expiresAt,
      session.absoluteExpiresAt,
      ttl,
    ];
    return (await this.script(REPLACE_SESSION, [this.keys.session(key)], args)) === 1;
  }

  async touch(key: string, refreshedAt: number, expiresAt: number): Promise<void> {
    const ttl = expiresAt - refreshedAt;
    if (ttl <= 0) {
      await this.send((redis) => redis.del(this.keys.session(key)));
      return;
    }
    await this.script(TOUCH, [this.keys.session(key)], [refreshedAt, expiresAt, ttl]);
  }

  async delete(key: string): Promise<void> {
    // Index entries left behind are hints that every reader checks, and later writes shed them.
    await this.send((redis) => redis.del(this.keys.session(key)));
  }

  async listByUser(userKey: string, now: number): Promise<KeyedSession[]> {
    // Scores are absolute expiries, so members past theirs are never fetched.
    const index = this.keys.userIndex(userKey);
    const keys = await this.send((redis) =>
      redis.zRange(index, `(${now}`, '+inf', { BY: 'SCORE' }),
    );
    // Sent together, so the client pipelines them (per node, in a cluster). userKey is read too:
    // the index is a hint, and a key may now hold another person's session.
    const replies = await Promise.all(
      keys.map((key) =>
        this.send((redis) => redis.hmGet(this.keys.session(key), [...FIELDS, 'userKey'])),
      ),
    );
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

  async markUsed(key: string, expiresAt: number, now: number): Promise<boolean> {
    // The record holds its expiry, so the app's clock decides when it is over, as for sessions;
    // the TTL only lets Redis drop it.
    const ttl = Math.max(1, expiresAt - now);
    return (await this.script(MARK_USED, [this.keys.used(key)], [expiresAt, now, ttl])) === 1;
  }

  async forgetUsed(key: string): Promise<void> {
    await this.send((redis) => redis.del(this.keys.used(key)));
  }

  /**
   * Nothing to do: Redis drops expired sessions by itself, and writes prune the indexes. Nothing
   * is sent either, so the periodic purge has nothing to warn about while Redis is down.
   */
  purgeExpired(_now: number): Promise<number> {
    return Promise.resolve().then(() => {
      this.#assertOpen();
      return 0;
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.disconnect();
  }

  /**
   * Sends one step to Redis. It rejects once the store is closed, and after the command timeout
   * whatever the client does meanwhile: node-redis puts no timeout on MULTI, and a cluster
   * client may wait for a node that is still being connected to.
   */
  protected async send<T>(step: (redis: C) => Promise<T>): Promise<T> {
    this.#assertOpen();
    const redis = await this.connected();
    return withDeadline(step(redis), this.#commandTimeoutMs);
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('The Redis session store is closed');
  }

  /** Runs a Lua script over `keys` (in one hash slot, for a cluster), loading it when needed. */
  protected async script(script: string, keys: string[], args: (string | number)[]) {
    const options = { keys, arguments: args.map(String) };
    try {
      return await this.send((redis) => redis.evalSha(sha1(script), options));
    } catch (error) {
      // Redis forgets scripts on restart, and a promoted replica never had them.
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.send((redis) => redis.eval(script, options));
    }
  }
}

/** The session in a hash's {@link FIELDS} (in that order), or `null` when the hash is gone. */
export function sessionOf(values: readonly (string | null | undefined)[]): StoredSession | null {
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

/**
 * A key prefix is the app's to choose and may hold *, ?, [ or \, which SCAN's MATCH would read
 * as a pattern and so list another app's people.
 */
export function escapeGlob(literal: string): string {
  return literal.replace(/[*?[\]\\]/g, '\\$&');
}

/** `work`, or a rejection once `ms` have passed (the work itself goes on, unawaited). */
export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
