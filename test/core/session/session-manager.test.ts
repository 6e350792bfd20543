import { signedIn } from '../../../src/stores/manager-contract.js';
import { describe, expect, it } from 'vitest';
import { MemorySessionStore } from '../../../src/core/session/memory-store.js';
import { SessionManager } from '../../../src/core/session/session-manager.js';

// The manager's behaviour over each store is in the store contract (store-contract.ts), run by
// memory-store.test.ts, sqlite-store.test.ts and redis-store.integration.test.ts. What is here
// does not depend on the store.

const options = { idleTimeoutMs: 60_000, absoluteTimeoutMs: 60_000 };

describe('SessionManager', () => {
  it('turns away a malformed id without asking the store', async () => {
    const store = new MemorySessionStore();
    const manager = new SessionManager(store, options);
    // A closed store rejects every call: a null here proves the store was not asked.
    await store.close();
    expect(await manager.load('not an id')).toBeNull();
    expect(await manager.load('a'.repeat(44))).toBeNull();
  });

  it('gives every new session a fresh id and CSRF secret', async () => {
    const manager = new SessionManager(new MemorySessionStore(), options);
    const [first, second] = [await manager.start(signedIn()), await manager.start(signedIn())];
    expect(first.id).not.toBe(second.id);
    expect(first.data.csrfSecret).not.toBe(second.data.csrfSecret);
  });
});
