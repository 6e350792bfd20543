import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { RedisSessionStore } from '../../src/stores/redis.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { storedSession } from '../../src/stores/store-contract.js';

// How the Redis store keeps sealed API tokens, seen from beside it; the store contract covers
// what every store does with them.

let redis: RedisServer;
let client: ReturnType<typeof createClient>;
const stores: RedisSessionStore[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  client = createClient({ url: redis.url });
  await client.connect();
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});
afterAll(async () => {
  await client.close();
  await redis.close();
});

function openStore(): { store: RedisSessionStore; hash: (key: string) => string } {
  const prefix = `${randomUUID()}:`;
  const store = new RedisSessionStore(redis.url, { keyPrefix: prefix });
  stores.push(store);
  return { store, hash: (key) => `${prefix}s:${key}` };
}

describe('RedisSessionStore tokens', () => {
  it('keeps the tokens in a field of their own beside the session fields', async () => {
    const { store, hash } = openStore();
    await store.set('key', storedSession({ sid: 'sid-1' }), 'sealed');
    const fields = await client.hGetAll(hash('key'));
    expect(fields['tokens']).toBe('sealed');
    expect(fields['data']).not.toContain('sealed');
  });

  it('leaves no field of an earlier session behind when the key is written again', async () => {
    const { store, hash } = openStore();
    await store.set('key', storedSession({ sid: 'sid-1' }), 'sealed');
    await store.set('key', storedSession({ user: 'tid:bob' }));
    const fields = await client.hGetAll(hash('key'));
    expect(fields['providerSid']).toBe('');
    expect(fields['userKey']).toBe('tid:bob');
    expect(Object.keys(fields).sort()).toEqual(
      [
        'absoluteExpiresAt',
        'createdAt',
        'data',
        'expiresAt',
        'providerSid',
        'refreshedAt',
        'tokens',
        'userKey',
      ].sort(),
    );
  });

  it('leaves the TTL of the session as it was when its tokens are replaced', async () => {
    const { store, hash } = openStore();
    const session = storedSession();
    await store.set('key', session, 'sealed');
    expect(await store.setTokens('key', 'rotated', session.createdAt)).toBe(true);
    const ttl = await client.pTTL(hash('key'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(session.expiresAt - session.refreshedAt);
  });

  it('drops the tokens with a session that Redis expired, and writes none into it', async () => {
    const { store, hash } = openStore();
    const session = storedSession();
    // Live by the app's clock, but with a 20 ms TTL: only Redis has ended it.
    await store.set('key', { ...session, expiresAt: session.refreshedAt + 20 }, 'sealed');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await store.setTokens('key', 'late', session.createdAt)).toBe(false);
    expect(await store.getTokens('key', session.createdAt)).toBeNull();
    expect(await client.exists(hash('key'))).toBe(0);
  });

  it('writes tokens after Redis has forgotten its scripts, as after a restart', async () => {
    const { store } = openStore();
    const session = storedSession();
    await store.set('key', session);
    await client.scriptFlush();
    expect(await store.setTokens('key', 'sealed', session.createdAt)).toBe(true);
    expect(await store.getTokens('key', session.createdAt)).toBe('sealed');
  });
});
