/**
 * The part of the store contract about listings: the live sessions of one person, and the people
 * who have any. A store's person index is only a hint; the listings answer from the sessions as
 * they are now.
 */
import { expect, it } from 'vitest';
import type { SessionStore, StoredSession } from '../core/session/session-store.js';

/** Declares the listing cases inside a store's `describe`. */
export function describeListingContract(
  open: () => Promise<SessionStore>,
  newKey: () => string,
  session: (options?: { user?: string; at?: number }) => StoredSession,
): void {
  const t0 = session().createdAt;
  // A session made at t0 is idle-expired from here on (expiry is exclusive); one made a
  // millisecond later is still live.
  const idleEnd = session().expiresAt;

  it("lists one person's live sessions, newest first, and nobody else's", async () => {
    const store = await open();
    const [first, second, third, bob] = [newKey(), newKey(), newKey(), newKey()];
    const sessions = [
      session({ at: t0 }),
      session({ at: t0 + 2000 }),
      session({ at: t0 + 1000 }),
      session({ user: 'tid:bob', at: t0 + 3000 }),
    ] as const;
    await store.set(first, sessions[0]);
    // Listed like `get` gives them: the sealed tokens stay behind.
    await store.set(second, sessions[1], 'sealed-tokens');
    await store.set(third, sessions[2]);
    await store.set(bob, sessions[3]);
    expect(await store.listByUser('tid:alice', t0 + 3000)).toEqual([
      { key: second, session: sessions[1] },
      { key: third, session: sessions[2] },
      { key: first, session: sessions[0] },
    ]);
    expect(await store.listByUser('tid:bob', t0 + 3000)).toEqual([
      { key: bob, session: sessions[3] },
    ]);
  });

  it('lists no sessions for a person it has never seen', async () => {
    const store = await open();
    await store.set(newKey(), session());
    expect(await store.listByUser('tid:nobody', t0)).toEqual([]);
  });

  it("leaves out of a person's list the sessions past their idle or absolute expiry", async () => {
    const store = await open();
    const [live, idle, absolute] = [newKey(), newKey(), newKey()];
    const liveSession = session({ at: t0 + 1 });
    await store.set(live, liveSession);
    await store.set(idle, session({ at: t0 }));
    await store.set(absolute, { ...session({ at: t0 + 1 }), absoluteExpiresAt: idleEnd });
    expect(await store.listByUser('tid:alice', idleEnd)).toEqual([
      { key: live, session: liveSession },
    ]);
  });

  it("leaves out of a person's list the sessions that were deleted", async () => {
    const store = await open();
    const [deleted, kept] = [newKey(), newKey()];
    const keptSession = session({ at: t0 + 1 });
    await store.set(deleted, session());
    await store.set(kept, keptSession);
    await store.delete(deleted);
    expect(await store.listByUser('tid:alice', t0 + 1)).toEqual([
      { key: kept, session: keptSession },
    ]);
    await store.deleteByUser('tid:alice');
    expect(await store.listByUser('tid:alice', t0 + 1)).toEqual([]);
  });

  it("leaves out of a person's list a key that another person's session has taken over", async () => {
    const store = await open();
    const key = newKey();
    const bobs = session({ user: 'tid:bob', at: t0 + 1000 });
    await store.set(key, session());
    await store.set(key, bobs);
    expect(await store.listByUser('tid:alice', t0 + 1000)).toEqual([]);
    expect(await store.listByUser('tid:bob', t0 + 1000)).toEqual([{ key, session: bobs }]);
  });

  it('lists each person who has a live session, once', async () => {
    const store = await open();
    for (const user of ['tid:alice', 'tid:bob', 'tid:alice', 'tid:carol', 'tid:alice']) {
      await store.set(newKey(), session({ user }));
    }
    const users = await store.listUsers(t0, 10);
    expect([...users].sort()).toEqual(['tid:alice', 'tid:bob', 'tid:carol']);
  });

  it('lists no more people than the limit', async () => {
    const store = await open();
    const everyone = ['tid:alice', 'tid:bob', 'tid:carol'];
    for (const user of [...everyone, ...everyone]) await store.set(newKey(), session({ user }));
    const two = await store.listUsers(t0, 2);
    expect(two).toHaveLength(2);
    expect(new Set(two).size).toBe(2);
    expect(everyone).toEqual(expect.arrayContaining(two));
    expect(await store.listUsers(t0, 1)).toHaveLength(1);
  });

  it('leaves out people whose only session expired, was deleted or was taken over', async () => {
    const store = await open();
    const [deleted, takenOver] = [newKey(), newKey()];
    await store.set(newKey(), session({ user: 'tid:alice', at: t0 + 1 }));
    await store.set(newKey(), session({ user: 'tid:bob' }));
    await store.set(newKey(), {
      ...session({ user: 'tid:carol', at: t0 + 1 }),
      absoluteExpiresAt: idleEnd,
    });
    await store.set(deleted, session({ user: 'tid:dave', at: t0 + 1 }));
    await store.delete(deleted);
    await store.set(takenOver, session({ user: 'tid:erin', at: t0 + 1 }));
    await store.set(takenOver, session({ user: 'tid:alice', at: t0 + 1 }));
    expect(await store.listUsers(idleEnd, 10)).toEqual(['tid:alice']);
    // People with nothing live do not use up the limit either.
    expect(await store.listUsers(idleEnd, 1)).toEqual(['tid:alice']);
  });
}
