/**
 * `entra-signin/store-contract`: the one contract every {@link SessionStore} keeps, run unchanged
 * against each real store (as Lucia's adapters share one test suite). Each store's test file calls
 * {@link describeSessionStoreContract} with a way to open a fresh, empty store. Writers of their
 * own store run it in their vitest suite (vitest is an optional peer dependency):
 *
 * @example
 * import { describeSessionStoreContract } from 'entra-signin/store-contract';
 * describeSessionStoreContract('postgres', () => new PostgresSessionStore(url));
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sessionKeyFor, generateSessionId } from '../core/session/session-id.js';
import type { SessionData, SessionStore, StoredSession } from '../core/session/session-store.js';
import { describeListingContract } from './listing-contract.js';
import { describeManagerOverStore, type OpenStore } from './manager-contract.js';
import { describeTokenContract } from './token-contract.js';

export type { OpenStore } from './manager-contract.js';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

/** A session as the manager would store it, of the person `user`. */
export function storedSession(
  options: { user?: string; sid?: string; at?: number; name?: string } = {},
): StoredSession {
  const at = options.at ?? T0;
  const data: SessionData = {
    user: {
      key: options.user ?? 'tid:alice',
      name: options.name ?? 'Alice Example',
      claims: {
        name: options.name ?? 'Alice Example',
        ...(options.sid === undefined ? {} : { sid: options.sid }),
        roles: ['reader'],
      },
      idToken: 'header.payload.signature',
      signedInAt: at,
    },
    csrfSecret: 'csrf-secret',
  };
  return {
    data,
    createdAt: at,
    refreshedAt: at,
    expiresAt: at + HOUR,
    absoluteExpiresAt: at + 12 * HOUR,
  };
}

/** Declares the store contract tests, and the session manager's tests over that store. */
export function describeSessionStoreContract(name: string, openStore: OpenStore): void {
  describe(`the ${name} session store`, () => {
    const opened: SessionStore[] = [];
    const open = async () => {
      const store = await openStore();
      opened.push(store);
      return store;
    };
    const newKey = () => sessionKeyFor(generateSessionId());
    afterEach(async () => {
      await Promise.allSettled(opened.splice(0).map((store) => store.close()));
    });

    describeTokenContract(open, newKey, storedSession);
    describeListingContract(open, newKey, storedSession);

    it('returns a session as it was stored, field for field', async () => {
      const store = await open();
      const key = newKey();
      const session = storedSession({ name: 'Zoë Ünïcode 日本', sid: 'sid-1' });
      await store.set(key, session);
      expect(await store.get(key, T0)).toEqual(session);
    });

    it('returns null for a key it never stored', async () => {
      const store = await open();
      expect(await store.get(newKey(), T0)).toBeNull();
    });

    it('returns null once the session expiry has come, by the clock it is given', async () => {
      const store = await open();
      const key = newKey();
      const session = storedSession();
      await store.set(key, session);
      expect(await store.get(key, session.expiresAt - 1)).not.toBeNull();
      expect(await store.get(key, session.expiresAt)).toBeNull();
    });

    it('replaces the session stored under the same key', async () => {
      const store = await open();
      const key = newKey();
      await store.set(key, storedSession());
      const replacement = storedSession({ user: 'tid:carol', at: T0 + 5000 });
      await store.set(key, replacement);
      expect(await store.get(key, T0 + 5000)).toEqual(replacement);
    });

    it('replaces the data of a live session of the same person, keeping its tokens', async () => {
      const store = await open();
      const key = newKey();
      await store.set(key, storedSession(), 'sealed-tokens');
      const later = { ...storedSession({ name: 'Alice Renamed' }), refreshedAt: T0 + 10 };
      expect(await store.replace(key, later, T0 + 10)).toBe(true);
      expect(await store.get(key, T0 + 10)).toEqual(later);
      expect(await store.getTokens(key, T0 + 10)).toBe('sealed-tokens');
      expect(await store.listByUser('tid:alice', T0 + 10)).toHaveLength(1);
    });

    it('never brings back an ended or expired session by replacing it, nor takes another’s', async () => {
      const store = await open();
      const ended = newKey();
      await store.set(ended, storedSession());
      await store.delete(ended);
      expect(await store.replace(ended, storedSession(), T0)).toBe(false);
      expect(await store.get(ended, T0)).toBeNull();

      const expired = newKey();
      const session = storedSession();
      await store.set(expired, session);
      expect(await store.replace(expired, session, session.expiresAt)).toBe(false);

      const bobs = newKey();
      await store.set(bobs, storedSession({ user: 'tid:bob' }));
      expect(await store.replace(bobs, storedSession({ user: 'tid:alice' }), T0)).toBe(false);
      expect((await store.get(bobs, T0))?.data.user.key).toBe('tid:bob');
    });

    it('moves the expiry on touch and keeps the data', async () => {
      const store = await open();
      const key = newKey();
      const session = storedSession();
      await store.set(key, session);
      await store.touch(key, T0 + HOUR / 2, T0 + HOUR + HOUR / 2);
      expect(await store.get(key, T0 + HOUR + 1)).toEqual({
        ...session,
        refreshedAt: T0 + HOUR / 2,
        expiresAt: T0 + HOUR + HOUR / 2,
      });
    });

    it('creates nothing when touching a key it does not hold', async () => {
      const store = await open();
      const key = newKey();
      await store.touch(key, T0, T0 + HOUR);
      expect(await store.get(key, T0)).toBeNull();
    });

    it('deletes one session and leaves the others', async () => {
      const store = await open();
      const [gone, kept] = [newKey(), newKey()];
      await store.set(gone, storedSession());
      await store.set(kept, storedSession());
      await store.delete(gone);
      expect(await store.get(gone, T0)).toBeNull();
      expect(await store.get(kept, T0)).not.toBeNull();
    });

    it('deletes every session of one person, counts them, and leaves everyone else', async () => {
      const store = await open();
      const [alice1, alice2, bob, carol] = [newKey(), newKey(), newKey(), newKey()];
      await store.set(alice1, storedSession({ user: 'tid:alice' }));
      await store.set(alice2, storedSession({ user: 'tid:alice' }));
      await store.set(bob, storedSession({ user: 'tid:bob' }));
      await store.set(carol, storedSession({ user: 'tid:carol' }));
      expect(await store.deleteByUser('tid:alice')).toBe(2);
      expect(await store.get(alice1, T0)).toBeNull();
      expect(await store.get(alice2, T0)).toBeNull();
      expect(await store.get(bob, T0)).not.toBeNull();
      expect(await store.get(carol, T0)).not.toBeNull();
      expect(await store.deleteByUser('tid:alice')).toBe(0);
    });

    it('does not delete by a person a session that another person now holds under that key', async () => {
      const store = await open();
      const key = newKey();
      await store.set(key, storedSession({ user: 'tid:alice' }));
      await store.set(key, storedSession({ user: 'tid:bob' }));
      expect(await store.deleteByUser('tid:alice')).toBe(0);
      expect((await store.get(key, T0))?.data.user.key).toBe('tid:bob');
    });

    it('does not count a session deleted before its person was signed out everywhere', async () => {
      const store = await open();
      const [deleted, live] = [newKey(), newKey()];
      await store.set(deleted, storedSession());
      await store.set(live, storedSession());
      await store.delete(deleted);
      expect(await store.deleteByUser('tid:alice')).toBe(1);
    });

    it('deletes every session of one provider session (sid), and no other', async () => {
      const store = await open();
      const [first, second, other, none] = [newKey(), newKey(), newKey(), newKey()];
      await store.set(first, storedSession({ sid: 'sid-1' }));
      await store.set(second, storedSession({ user: 'tid:bob', sid: 'sid-1' }));
      await store.set(other, storedSession({ sid: 'sid-2' }));
      await store.set(none, storedSession());
      expect(await store.deleteByProviderSid('sid-1')).toBe(2);
      expect(await store.get(first, T0)).toBeNull();
      expect(await store.get(second, T0)).toBeNull();
      expect(await store.get(other, T0)).not.toBeNull();
      expect(await store.get(none, T0)).not.toBeNull();
    });

    it('keeps live sessions when purging expired ones', async () => {
      const store = await open();
      const [live, expired] = [newKey(), newKey()];
      await store.set(live, storedSession({ at: T0 + HOUR }));
      await store.set(expired, storedSession());
      const purged = await store.purgeExpired(T0 + HOUR + 1);
      expect(purged).toBeGreaterThanOrEqual(0);
      expect(await store.get(live, T0 + HOUR + 1)).not.toBeNull();
      expect(await store.get(expired, T0 + HOUR + 1)).toBeNull();
    });

    it('records a used value once: the second record of it is a replay', async () => {
      const store = await open();
      const value = `state:${newKey()}`;
      expect(await store.markUsed(value, T0 + HOUR, T0)).toBe(true);
      expect(await store.markUsed(value, T0 + HOUR, T0 + 1)).toBe(false);
      expect(await store.markUsed(`state:${newKey()}`, T0 + HOUR, T0)).toBe(true);
    });

    it('records a used value again once its record has expired, or was forgotten', async () => {
      const store = await open();
      const [expiring, forgotten] = [`jti:${newKey()}`, `jti:${newKey()}`];
      expect(await store.markUsed(expiring, T0 + 1000, T0)).toBe(true);
      expect(await store.markUsed(forgotten, T0 + HOUR, T0)).toBe(true);
      await store.forgetUsed(forgotten);
      expect(await store.markUsed(forgotten, T0 + HOUR, T0)).toBe(true);
      // Redis expires by its own clock, so the expiry is checked against the store's time too.
      if (name !== 'redis') expect(await store.markUsed(expiring, T0 + HOUR, T0 + 1001)).toBe(true);
    });

    it('lets exactly one of many simultaneous records of a value through', async () => {
      const store = await open();
      const value = `state:${newKey()}`;
      const results = await Promise.all(
        Array.from({ length: 8 }, () => store.markUsed(value, T0 + HOUR, T0)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('rejects every call once closed', async () => {
      const store = await open();
      const key = newKey();
      await store.set(key, storedSession());
      await store.close();
      await expect(store.get(key, T0)).rejects.toThrow();
      await expect(store.set(key, storedSession())).rejects.toThrow();
      await expect(store.touch(key, T0, T0 + HOUR)).rejects.toThrow();
      await expect(store.replace(key, storedSession(), T0)).rejects.toThrow();
      await expect(store.delete(key)).rejects.toThrow();
      await expect(store.deleteByUser('tid:alice')).rejects.toThrow();
      await expect(store.listByUser('tid:alice', T0)).rejects.toThrow();
      await expect(store.listUsers(T0, 10)).rejects.toThrow();
    });
  });

  describeManagerOverStore(name, openStore);
}
