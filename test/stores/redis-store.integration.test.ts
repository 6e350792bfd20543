import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { RedisSessionStore } from '../../src/stores/redis.js';
import { findFreePort } from '../support/free-port.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { describeSessionStoreContract, storedSession } from '../../src/stores/store-contract.js';

const HOUR = 3_600_000;
let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.close();
});

// A prefix per store keeps the tests apart on one server, as it keeps apps apart in production.
const openStore = (options: { keyPrefix?: string } = {}) =>
  new RedisSessionStore(redis.url, { keyPrefix: options.keyPrefix ?? `${randomUUID()}:` });

describeSessionStoreContract('redis', () => openStore());

const inspector = () => createClient({ url: redis.url });

/** Reads what Redis holds, beside the store, to see how it keeps sessions. */
async function inspect<T>(work: (client: ReturnType<typeof inspector>) => Promise<T>) {
  const client = inspector();
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}

describe('RedisSessionStore', () => {
  it('leaves expiry to Redis: a session key carries a TTL of its idle window', async () => {
    const store = openStore({ keyPrefix: 'ttl:' });
    const session = storedSession();
    await store.set('key', session);
    const ttl = await inspect((client) => client.pTTL('ttl:s:key'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(session.expiresAt - session.refreshedAt);
    await store.close();
  });

  it('moves the TTL forward on touch', async () => {
    const store = openStore({ keyPrefix: 'touch:' });
    const session = storedSession();
    await store.set('key', session);
    await store.touch('key', session.refreshedAt, session.refreshedAt + 5 * HOUR);
    const ttl = await inspect((client) => client.pTTL('touch:s:key'));
    expect(ttl).toBeGreaterThan(HOUR);
    await store.close();
  });

  it('gives the index of a person a TTL that outlives their sessions, and no longer', async () => {
    const store = openStore({ keyPrefix: 'index:' });
    const session = storedSession({ user: 'tid:alice' });
    await store.set('key', session);
    const ttl = await inspect((client) => client.pTTL('index:u:tid:alice'));
    expect(ttl).toBeGreaterThan(session.expiresAt - session.refreshedAt);
    expect(ttl).toBeLessThanOrEqual(session.absoluteExpiresAt - session.refreshedAt);
    await store.close();
  });

  it("lists only its own people when its prefix holds glob characters, not another app's", async () => {
    const star = openStore({ keyPrefix: 'glob*[x]?:' });
    const other = openStore({ keyPrefix: 'globZZxy:' }); // matched by the unescaped pattern
    const at = storedSession().refreshedAt;
    await star.set('a', storedSession({ user: 'tid:alice' }));
    await other.set('b', storedSession({ user: 'tid:bob' }));
    expect(await star.listUsers(at, 10)).toEqual(['tid:alice']);
    await Promise.all([star.close(), other.close()]);
  });

  it('stores no session whose expiry has already passed', async () => {
    const store = openStore({ keyPrefix: 'past:' });
    const session = storedSession();
    await store.set('key', { ...session, expiresAt: session.refreshedAt });
    expect(await inspect((client) => client.exists('past:s:key'))).toBe(0);
    await store.close();
  });

  it('rejects calls while Redis is down and serves again once it is back', async () => {
    const server = await startRedisServer();
    const store = new RedisSessionStore(server.url, { maxReconnectDelayMs: 100 });
    try {
      const session = storedSession();
      await store.set('key', session);
      await server.stop();
      await expect(store.get('key', session.createdAt)).rejects.toThrow();
      await server.restart();
      expect(await eventually(() => store.get('key', session.createdAt))).toEqual(session);
    } finally {
      await store.close();
      await server.close();
    }
  });

  it('rejects calls, rather than waiting, when Redis was never reachable', async () => {
    const store = new RedisSessionStore(`redis://127.0.0.1:${await findFreePort()}`, {
      connectTimeoutMs: 200,
    });
    try {
      await expect(store.get('key', 0)).rejects.toThrow();
      await expect(store.set('key', storedSession())).rejects.toThrow();
    } finally {
      await store.close();
    }
  });
});

// Reconnection takes a moment after Redis returns; the test waits for it, within a bound.
async function eventually<T>(work: () => Promise<T>, attempts = 100): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
