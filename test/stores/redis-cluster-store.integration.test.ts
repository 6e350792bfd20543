import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateSessionId, sessionKeyFor } from '../../src/core/session/session-id.js';
import { RedisClusterSessionStore } from '../../src/stores/redis-cluster.js';
import type { RedisSessionStoreOptions } from '../../src/stores/redis.js';
import { describeSessionStoreContract, storedSession } from '../../src/stores/store-contract.js';
import { findFreePort } from '../support/free-port.js';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.js';

// Three primaries, each with a replica, on loopback: the layout of a small production cluster.
let cluster: RedisCluster;
beforeAll(async () => {
  cluster = await startRedisCluster({ primaries: 3, replicas: 1 });
}, 60_000);
afterAll(async () => {
  await cluster.close();
});

// A prefix per store keeps the tests apart on one cluster, as it keeps apps apart in production.
const openClusterStore = (options: RedisSessionStoreOptions = {}) =>
  new RedisClusterSessionStore(cluster.url, { keyPrefix: `${randomUUID()}:`, ...options });

describeSessionStoreContract('redis cluster', () => openClusterStore());

describe('RedisClusterSessionStore', () => {
  const stores: RedisClusterSessionStore[] = [];
  const open = (options: RedisSessionStoreOptions = {}) => {
    const store = openClusterStore(options);
    stores.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });
  const at = storedSession().createdAt;

  it("ends all of one person's sessions, though they live on different primaries", async () => {
    const store = open();
    const keys = Array.from({ length: 12 }, () => sessionKeyFor(generateSessionId()));
    for (const key of keys) await store.set(key, storedSession({ user: 'tid:alice' }));
    await store.set(sessionKeyFor(generateSessionId()), storedSession({ user: 'tid:bob' }));
    // A session key is its own hash tag, so its slot is the slot of the key alone.
    const primaries = new Set(
      await Promise.all(keys.map(async (key) => (await cluster.primaryFor(key)).port)),
    );
    expect(primaries.size).toBeGreaterThan(1);
    expect(await store.deleteByUser('tid:alice')).toBe(12);
    for (const key of keys) expect(await store.get(key, at)).toBeNull();
    expect(await store.listUsers(at, 10)).toEqual(['tid:bob']);
  });

  it('lists the people whose indexes live on every primary', async () => {
    const store = open();
    // A person's index is tagged with their key: people are picked until every primary has some.
    const people: string[] = [];
    const primaries = new Set<number>();
    for (let i = 0; primaries.size < 3 || people.length < 6; i += 1) {
      people.push(`tid:person-${i}`);
      primaries.add((await cluster.primaryFor(`tid:person-${i}`)).port);
    }
    for (const user of people) {
      await store.set(sessionKeyFor(generateSessionId()), storedSession({ user }));
    }
    expect((await store.listUsers(at, 100)).sort()).toEqual([...people].sort());
    expect(await store.listUsers(at, 5)).toHaveLength(5);
  });

  it('refuses a key prefix that holds a hash tag, which would put every key in one slot', () => {
    expect(() => new RedisClusterSessionStore(cluster.url, { keyPrefix: 'app{1}:' })).toThrow(
      /keyPrefix must not hold \{ or \}/,
    );
  });

  it('rejects calls, rather than waiting, when no node of the cluster was ever reachable', async () => {
    const url = `redis-cluster://127.0.0.1:${await findFreePort()},127.0.0.1:${await findFreePort()}`;
    const store = open({ connectTimeoutMs: 200 });
    const unreachable = new RedisClusterSessionStore(url, { connectTimeoutMs: 200 });
    stores.push(unreachable);
    const started = Date.now();
    await expect(unreachable.get('key', at)).rejects.toThrow(/could not be reached/);
    await expect(unreachable.set('key', storedSession())).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1000);
    // The store next to it, on the real cluster, is not held up.
    expect(await store.get('key', at)).toBeNull();
  });

  it('closes at once, without hanging, while it is still trying to reach the cluster', async () => {
    const store = new RedisClusterSessionStore(`redis-cluster://127.0.0.1:${await findFreePort()}`);
    const started = Date.now();
    await store.close();
    expect(Date.now() - started).toBeLessThan(200);
    await expect(store.get('key', at)).rejects.toThrow(/closed/);
  });
});
