/**
 * The session manager's behaviour over one real store, with an injectable clock instead of
 * sleeps: part of the store contract, since idle and absolute expiry only hold if the store
 * keeps the times the manager gives it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sessionKeyFor } from '../core/session/session-id.js';
import { SessionManager } from '../core/session/session-manager.js';
import type { SessionData, SessionStore } from '../core/session/session-store.js';

/** Opens a fresh store with no sessions in it. */
export type OpenStore = () => SessionStore | Promise<SessionStore>;

const MINUTE = 60_000;

/** Signed-in session data for the person `key`, optionally with a provider `sid` claim. */
export function signedIn(key = 'entra:t:o', sid?: string): SessionData {
  return SessionManager.dataFor({
    key,
    name: 'Alice',
    claims: { name: 'Alice', ...(sid === undefined ? {} : { sid }) },
    idToken: 'id.token.value',
    signedInAt: 0,
  });
}

/** Declares the session manager's tests over the store that `openStore` opens. */
export function describeManagerOverStore(name: string, openStore: OpenStore): void {
  describe(`SessionManager over the ${name} store`, () => {
    const opened: SessionStore[] = [];
    afterEach(async () => {
      await Promise.allSettled(opened.splice(0).map((store) => store.close()));
    });

    async function setup() {
      let now = 1_000_000;
      const store = await openStore();
      opened.push(store);
      const manager = new SessionManager(store, {
        idleTimeoutMs: 60 * MINUTE,
        absoluteTimeoutMs: 12 * 60 * MINUTE,
        now: () => now,
      });
      return { store, manager, advance: (ms: number) => (now += ms) };
    }

    it('loads a session it started', async () => {
      const { manager } = await setup();
      const started = await manager.start(signedIn());
      const loaded = await manager.load(started.id);
      expect(loaded?.data.user.name).toBe('Alice');
    });

    it('returns null for an unknown id', async () => {
      const { manager } = await setup();
      expect(await manager.load('x'.repeat(43))).toBeNull();
    });

    it('stores the session under a hash of its id, not the id', async () => {
      const { manager, store } = await setup();
      const started = await manager.start(signedIn());
      expect(await store.get(started.id, 0)).toBeNull();
      expect(await store.get(sessionKeyFor(started.id), 0)).not.toBeNull();
    });

    it('ends a session after the idle timeout', async () => {
      const { manager, advance } = await setup();
      const started = await manager.start(signedIn());
      advance(59 * MINUTE);
      expect(await manager.load(started.id)).not.toBeNull();
      advance(61 * MINUTE);
      expect(await manager.load(started.id)).toBeNull();
    });

    it('slides the idle timeout while the session is used', async () => {
      const { manager, advance } = await setup();
      const started = await manager.start(signedIn());
      for (let i = 0; i < 5; i += 1) {
        advance(40 * MINUTE);
        expect(await manager.load(started.id)).not.toBeNull();
      }
    });

    it('does not write on every request to slide the timeout', async () => {
      const { manager, store, advance } = await setup();
      const started = await manager.start(signedIn());
      advance(MINUTE);
      const loaded = await manager.load(started.id);
      expect(loaded?.stored.refreshedAt).toBe(started.stored.refreshedAt);
      expect((await store.get(sessionKeyFor(started.id), 0))?.refreshedAt).toBe(
        started.stored.refreshedAt,
      );
      advance(6 * MINUTE);
      const refreshed = await manager.load(started.id);
      expect(refreshed?.stored.refreshedAt).toBeGreaterThan(started.stored.refreshedAt);
      const kept = await store.get(sessionKeyFor(started.id), 0);
      expect(kept?.refreshedAt).toBe(refreshed?.stored.refreshedAt);
    });

    it('ends a session at its absolute lifetime however busy it is', async () => {
      const { manager, advance } = await setup();
      const started = await manager.start(signedIn());
      for (let i = 0; i < 23; i += 1) {
        advance(30 * MINUTE);
        expect(await manager.load(started.id)).not.toBeNull();
      }
      advance(31 * MINUTE);
      expect(await manager.load(started.id)).toBeNull();
    });

    it('keeps the absolute lifetime when the data of a session is updated', async () => {
      const { manager, advance } = await setup();
      const started = await manager.start(signedIn());
      let loaded = null;
      for (let i = 0; i < 22; i += 1) {
        advance(30 * MINUTE);
        loaded = await manager.load(started.id);
      }
      if (!loaded) throw new Error('the session should still be live at 11 hours');
      await manager.saveAppData(loaded, { theme: 'dark' });
      advance(30 * MINUTE);
      expect(await manager.load(started.id)).not.toBeNull();
      advance(31 * MINUTE);
      expect(await manager.load(started.id)).toBeNull();
    });

    it('ends the previous session when starting a new one in its place', async () => {
      const { manager } = await setup();
      const before = await manager.start(signedIn('bob'));
      const user = await manager.start(signedIn(), before);
      expect(user.id).not.toBe(before.id);
      expect(await manager.load(before.id)).toBeNull();
      expect(await manager.load(user.id)).not.toBeNull();
    });

    it('ends every session of one person and no one else', async () => {
      const { manager } = await setup();
      const a1 = await manager.start(signedIn('alice'));
      const a2 = await manager.start(signedIn('alice'));
      const b = await manager.start(signedIn('bob'));
      expect(await manager.endAllFor('alice')).toBe(2);
      expect(await manager.load(a1.id)).toBeNull();
      expect(await manager.load(a2.id)).toBeNull();
      expect(await manager.load(b.id)).not.toBeNull();
    });

    it('ends every session of one provider session (sid) and no other', async () => {
      const { manager } = await setup();
      const first = await manager.start(signedIn('alice', 'sid-1'));
      const other = await manager.start(signedIn('alice', 'sid-2'));
      expect(await manager.endAllForProviderSession('sid-1')).toBe(1);
      expect(await manager.load(first.id)).toBeNull();
      expect(await manager.load(other.id)).not.toBeNull();
    });

    it("keeps the host app's own fields and returns them on the next load", async () => {
      const { manager } = await setup();
      const started = await manager.start(signedIn());
      await manager.saveAppData(started, { cart: ['book'] });
      expect((await manager.load(started.id))?.data.app).toEqual({ cart: ['book'] });
    });

    it('does not bring back a session ended on another browser by a late saveAppData', async () => {
      const { manager } = await setup();
      const started = await manager.start(signedIn());
      // A request of the ended browser was under way when the person signed it out elsewhere.
      await manager.endAllFor(started.data.user.key);
      await expect(manager.saveAppData(started, { cart: ['book'] })).rejects.toMatchObject({
        code: 'NOT_SIGNED_IN',
      });
      expect(await manager.load(started.id)).toBeNull();
    });

    it('reports a failing store as SESSION_STORE_UNAVAILABLE', async () => {
      const { manager, store } = await setup();
      const started = await manager.start(signedIn());
      await store.close();
      await expect(manager.load(started.id)).rejects.toMatchObject({
        code: 'SESSION_STORE_UNAVAILABLE',
      });
    });
  });
}
