import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSessionId, sessionKeyFor } from '../../src/core/session/session-id.js';
import { RedisClusterSessionStore } from '../../src/stores/redis-cluster.js';
import { storedSession } from '../../src/stores/store-contract.js';
import { eventually, startRedisCluster, type RedisCluster } from '../support/redis-cluster.js';

const COMMAND_TIMEOUT_MS = 500;

// Three primaries and no replica: when one stops, nobody can take its slots over.
let cluster: RedisCluster;
beforeAll(async () => {
  cluster = await startRedisCluster({ primaries: 3, replicas: 0 });
}, 60_000);
afterAll(async () => {
  await cluster.close();
});

const open = () =>
  new RedisClusterSessionStore(cluster.url, {
    keyPrefix: `${randomUUID()}:`,
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
    maxReconnectDelayMs: 200,
  });

describe('when the primary that holds a session, with no replica, stops', () => {
  it('rejects the calls on its slots within the command timeout while it is frozen, then serves them', async () => {
    const store = open();
    try {
      const key = sessionKeyFor(generateSessionId());
      const session = storedSession({ user: 'tid:alice' });
      await store.set(key, session, 'sealed-tokens');
      const primary = await cluster.primaryFor(key);

      // SIGSTOP: its sockets stay open and take the commands, but nothing ever answers. A
      // command that timed out still runs once the node wakes (a timeout is no cancellation),
      // so these calls are ones whose late effects change nothing.
      primary.pause();
      try {
        const started = Date.now();
        const calls = await Promise.allSettled([
          store.get(key, session.createdAt),
          store.getTokens(key, session.createdAt),
          store.set(key, session, 'sealed-tokens'),
          store.setTokens(key, 'sealed-tokens', session.createdAt),
          store.touch(key, session.refreshedAt, session.expiresAt),
          store.listByUser('tid:alice', session.createdAt),
        ]);
        expect(calls.map((call) => call.status)).toEqual(Array(6).fill('rejected'));
        expect(Date.now() - started).toBeLessThan(COMMAND_TIMEOUT_MS + 500);
      } finally {
        primary.resume();
      }
      await cluster.waitUntilHealthy();
      expect(await eventually(() => store.get(key, session.createdAt))).toEqual(session);
      expect(await store.getTokens(key, session.createdAt)).toBe('sealed-tokens');
    } finally {
      await store.close();
    }
  });

  it('rejects the calls on its slots at once while it is down, and serves them once it restarts', async () => {
    const store = open();
    try {
      const key = sessionKeyFor(generateSessionId());
      const session = storedSession({ user: 'tid:bob' });
      await store.set(key, session);
      const primary = await cluster.primaryFor(key);

      // SIGTERM: the connection drops; the client reconnects in the background meanwhile.
      await primary.stop();
      const started = Date.now();
      await expect(store.get(key, session.createdAt)).rejects.toThrow();
      await expect(store.set(key, session)).rejects.toThrow();
      await expect(store.deleteByUser('tid:bob')).rejects.toThrow();
      await expect(store.listUsers(session.createdAt, 10)).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(COMMAND_TIMEOUT_MS);

      // The same port, cluster config file and append-only file: the node, and its data, return.
      await primary.restart();
      await cluster.waitUntilHealthy();
      expect(await eventually(() => store.get(key, session.createdAt))).toEqual(session);
      expect(await store.deleteByUser('tid:bob')).toBe(1);
    } finally {
      await store.close();
    }
  });
});
