import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemorySessionStore } from '../../src/session/memory-store.js';
import { sessionKeyFor } from '../../src/session/session-id.js';
import { SessionManager } from '../../src/session/session-manager.js';
import type { SessionData, SessionStore } from '../../src/session/session-store.js';
import { SqliteSessionStore } from '../../src/session/sqlite-store.js';

const MINUTE = 60_000;
const stores: [string, () => SessionStore][] = [
  ['memory', () => new MemorySessionStore()],
  ['sqlite', () => new SqliteSessionStore(join(mkdtempSync(join(tmpdir(), 'sessions-')), 's.db'))],
];

const signedIn = (key = 'entra:t:o'): SessionData => ({
  ...SessionManager.emptyData(),
  user: { key, name: 'Alice', claims: { name: 'Alice' }, idToken: 'id.token.value', signedInAt: 0 },
});

function setup(makeStore: () => SessionStore) {
  let now = 1_000_000;
  const store = makeStore();
  const manager = new SessionManager(store, {
    idleTimeoutMs: 60 * MINUTE,
    absoluteTimeoutMs: 12 * 60 * MINUTE,
    signInTimeoutMs: 15 * MINUTE,
    now: () => now,
  });
  return { store, manager, advance: (ms: number) => (now += ms) };
}

describe.each(stores)('SessionManager over the %s store', (_name, makeStore) => {
  it('loads a session it started', async () => {
    const { manager } = setup(makeStore);
    const started = await manager.start(signedIn());
    const loaded = await manager.load(started.id);
    expect(loaded?.data.user?.name).toBe('Alice');
  });

  it('returns null for an unknown or malformed id', async () => {
    const { manager } = setup(makeStore);
    expect(await manager.load('x'.repeat(43))).toBeNull();
    expect(await manager.load('not an id')).toBeNull();
  });

  it('stores the session under a hash of its id, not the id', async () => {
    const { manager, store } = setup(makeStore);
    const started = await manager.start(signedIn());
    expect(await store.get(started.id, 0)).toBeNull();
    expect(await store.get(sessionKeyFor(started.id), 0)).not.toBeNull();
  });

  it('ends a session after the idle timeout', async () => {
    const { manager, advance } = setup(makeStore);
    const started = await manager.start(signedIn());
    advance(59 * MINUTE);
    expect(await manager.load(started.id)).not.toBeNull();
    advance(61 * MINUTE);
    expect(await manager.load(started.id)).toBeNull();
  });

  it('slides the idle timeout while the session is used', async () => {
    const { manager, advance } = setup(makeStore);
    const started = await manager.start(signedIn());
    for (let i = 0; i < 5; i += 1) {
      advance(40 * MINUTE);
      expect(await manager.load(started.id)).not.toBeNull();
    }
  });

  it('does not write on every request to slide the timeout', async () => {
    const { manager, store, advance } = setup(makeStore);
    const started = await manager.start(signedIn());
    advance(MINUTE);
    const loaded = await manager.load(started.id);
    expect(loaded?.stored.refreshedAt).toBe(started.stored.refreshedAt);
    advance(6 * MINUTE);
    const refreshed = await manager.load(started.id);
    expect(refreshed?.stored.refreshedAt).toBeGreaterThan(started.stored.refreshedAt);
    const kept = await store.get(sessionKeyFor(started.id), 0);
    expect(kept?.refreshedAt).toBe(refreshed?.stored.refreshedAt);
  });

  it('ends a session at its absolute lifetime however busy it is', async () => {
    const { manager, advance } = setup(makeStore);
    const started = await manager.start(signedIn());
    for (let i = 0; i < 23; i += 1) {
      advance(30 * MINUTE);
      expect(await manager.load(started.id)).not.toBeNull();
    }
    advance(31 * MINUTE);
    expect(await manager.load(started.id)).toBeNull();
  });

  it('gives a session that only holds sign-in attempts the sign-in timeout', async () => {
    const { manager, advance } = setup(makeStore);
    const started = await manager.start(SessionManager.emptyData());
    advance(16 * MINUTE);
    expect(await manager.load(started.id)).toBeNull();
  });

  it('ends the previous session when starting a new one in its place', async () => {
    const { manager } = setup(makeStore);
    const anonymous = await manager.start(SessionManager.emptyData());
    const user = await manager.start(signedIn(), anonymous);
    expect(user.id).not.toBe(anonymous.id);
    expect(await manager.load(anonymous.id)).toBeNull();
    expect(await manager.load(user.id)).not.toBeNull();
  });

  it('ends every session of one person and no one else', async () => {
    const { manager } = setup(makeStore);
    const a1 = await manager.start(signedIn('alice'));
    const a2 = await manager.start(signedIn('alice'));
    const b = await manager.start(signedIn('bob'));
    expect(await manager.endAllFor('alice')).toBe(2);
    expect(await manager.load(a1.id)).toBeNull();
    expect(await manager.load(a2.id)).toBeNull();
    expect(await manager.load(b.id)).not.toBeNull();
  });

  it('ends every session of one provider session (sid) and no other', async () => {
    const { manager } = setup(makeStore);
    const withSid = (sid: string): SessionData => {
      const data = signedIn();
      return { ...data, user: data.user && { ...data.user, claims: { sid } } };
    };
    const first = await manager.start(withSid('sid-1'));
    const other = await manager.start(withSid('sid-2'));
    expect(await manager.endAllForProviderSession('sid-1')).toBe(1);
    expect(await manager.load(first.id)).toBeNull();
    expect(await manager.load(other.id)).not.toBeNull();
  });

  it('purges expired sessions', async () => {
    const { manager, advance } = setup(makeStore);
    await manager.start(signedIn());
    await manager.start(SessionManager.emptyData());
    advance(20 * MINUTE);
    expect(await manager.purgeExpired()).toBe(1);
  });

  it('reports a failing store as SESSION_STORE_UNAVAILABLE', async () => {
    const { manager, store } = setup(makeStore);
    const started = await manager.start(signedIn());
    await store.close();
    await expect(manager.load(started.id)).rejects.toMatchObject({
      code: 'SESSION_STORE_UNAVAILABLE',
    });
  });
});

describe('SqliteSessionStore', () => {
  it('keeps sessions across a reopen of the file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sessions-')), 's.db');
    const options = { idleTimeoutMs: MINUTE, absoluteTimeoutMs: MINUTE, signInTimeoutMs: MINUTE };
    const first = new SqliteSessionStore(path);
    const started = await new SessionManager(first, options).start(signedIn());
    await first.close();
    const second = new SqliteSessionStore(path);
    expect((await new SessionManager(second, options).load(started.id))?.data.user?.name).toBe(
      'Alice',
    );
    await second.close();
  });
});

describe('MemorySessionStore', () => {
  it('drops the oldest session past its size bound', async () => {
    const store = new MemorySessionStore({ maxSessions: 2 });
    const manager = new SessionManager(store, {
      idleTimeoutMs: MINUTE,
      absoluteTimeoutMs: MINUTE,
      signInTimeoutMs: MINUTE,
    });
    const first = await manager.start(signedIn());
    await manager.start(signedIn());
    await manager.start(signedIn());
    expect(await manager.load(first.id)).toBeNull();
  });
});
