import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSessionId, sessionKeyFor } from '../../src/core/session/session-id.js';
import { RedisClusterSessionStore } from '../../src/stores/redis-cluster.js';
import { storedSession } from '../../src/stores/store-contract.js';
import { eventually, startRedisCluster, type RedisCluster } from '../support/redis-cluster.js';

// What the store does while the cluster changes under it: a primary handing over to its replica,
// and a primary with no replica going silent and coming back.

describe('when the primary that holds a session fails over to its replica', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await startRedisCluster({ primaries: 3, replicas: 1 });
  }, 60_000);
  afterAll(async () => {
    await cluster.close();
  });

  it('still reads, writes and ends the session, through the new primary', async () => {
    const store = new RedisClusterSessionStore(cluster.url, { keyPrefix: `${randomUUID()}:` });
    try {
      const key = sessionKeyFor(generateSessionId());
      const session = storedSession({ user: 'tid:alice', sid: 'sid-1' });
      await store.set(key, session, 'sealed-tokens');
      // The session's hash is tagged with its key, so the key alone names its slot.
      const primary = await cluster.primaryFor(key);
      const [replica] = await cluster.replicasOf(primary);
      if (replica === undefined) throw new Error('the primary should have a replica');

      await cluster.failover(replica);
      expect((await cluster.primaryFor(key)).port).toBe(replica.port);

      // The old primary answers MOVED now; the client learns the new layout and follows it. A
      // read that resolves, to anything, ends the wait: a lost session fails here.
      expect(await eventually(() => store.get(key, session.createdAt))).toEqual(session);
      expect(await store.getTokens(key, session.createdAt)).toBe('sealed-tokens');
      // Scripts too: the new primary never loaded them (NOSCRIPT, then EVAL).
      expect(await store.setTokens(key, 'rotated', session.createdAt)).toBe(true);
      await store.touch(key, session.createdAt + 1000, session.expiresAt + 1000);
      expect((await store.get(key, session.expiresAt))?.expiresAt).toBe(session.expiresAt + 1000);
      expect(await store.listUsers(session.createdAt, 10)).toEqual(['tid:alice']);
      expect(await store.deleteByProviderSid('sid-1')).toBe(1);
      expect(await store.get(key, session.createdAt)).toBeNull();
    } finally {
      await store.close();
    }
  });

  it('starts while a primary is down, and serves its slots once its replica has taken over', async () => {
    const keyPrefix = `${randomUUID()}:`;
    const key = sessionKeyFor(generateSessionId());
    const session = storedSession({ user: 'tid:carol' });
    const seeding = new RedisClusterSessionStore(cluster.url, { keyPrefix });
    await seeding.set(key, session);
    await seeding.close();
    const primary = await cluster.primaryFor(key);
    const [replica] = await cluster.replicasOf(primary);
    if (replica === undefined) throw new Error('the primary should have a replica');

    await primary.stop();
    // The cluster still names the stopped primary, and discovery would wait for it for good:
    // the store gives each attempt a deadline and starts over until the cluster can be reached.
    const store = new RedisClusterSessionStore(cluster.url, {
      keyPrefix,
      connectTimeoutMs: 200,
      commandTimeoutMs: 500,
      maxReconnectDelayMs: 200,
    });
    try {
      await expect(store.get(key, session.createdAt)).rejects.toThrow(/could not be reached/);
      // The replica promotes itself once the other primaries agree that its primary failed.
      await eventually(async () => {
        if (!(await replica.command('ROLE')).startsWith('master')) throw new Error('not yet');
      }, 20_000);
      expect(await eventually(() => store.get(key, session.createdAt))).toEqual(session);
    } finally {
      await store.close();
      await primary.restart(); // it comes back as a replica of the new primary
    }
  });
});
