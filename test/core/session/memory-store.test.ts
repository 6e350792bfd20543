import { describe, expect, it } from 'vitest';
import { MemorySessionStore } from '../../../src/core/session/memory-store.js';
import { describeSessionStoreContract, storedSession } from '../../../src/stores/store-contract.js';

describeSessionStoreContract('memory', () => new MemorySessionStore());

describe('MemorySessionStore', () => {
  it('drops the oldest session past its size bound', async () => {
    const store = new MemorySessionStore({ maxSessions: 2 });
    await store.set('first', storedSession());
    await store.set('second', storedSession());
    await store.set('third', storedSession());
    const now = storedSession().createdAt;
    expect(await store.get('first', now)).toBeNull();
    expect(await store.get('second', now)).not.toBeNull();
    expect(await store.get('third', now)).not.toBeNull();
  });

  it('counts the expired sessions it purges', async () => {
    const store = new MemorySessionStore();
    const session = storedSession();
    await store.set('expired', session);
    await store.set('live', { ...session, expiresAt: session.expiresAt + 1000 });
    expect(await store.purgeExpired(session.expiresAt)).toBe(1);
  });
});
