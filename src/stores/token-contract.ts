/**
 * The part of the store contract about a session's sealed API tokens: kept with the session,
 * never handed out with it, and gone whenever the session is.
 */
import { expect, it } from 'vitest';
import type { SessionStore, StoredSession } from '../core/session/session-store.js';

const SEALED = 'sealed-tokens-of-session-a';

/** Declares the token cases inside a store's `describe`. */
export function describeTokenContract(
  open: () => Promise<SessionStore>,
  newKey: () => string,
  session: (options?: { user?: string; sid?: string }) => StoredSession,
): void {
  it('keeps the tokens written with a session, and hands them out apart from it', async () => {
    const store = await open();
    const key = newKey();
    const stored = session();
    await store.set(key, stored, SEALED);
    expect(await store.getTokens(key, stored.createdAt)).toBe(SEALED);
    expect(JSON.stringify(await store.get(key, stored.createdAt))).not.toContain(SEALED);
  });

  it('keeps tokens as large as a sealed set of API tokens gets, byte for byte', async () => {
    const store = await open();
    const key = newKey();
    const stored = session();
    // AES-GCM ciphertext in base64url: an access token, a refresh token and an ID token or two.
    const large = 'A-_z0'.repeat(3400);
    await store.set(key, stored, large);
    expect(await store.getTokens(key, stored.createdAt)).toBe(large);
    expect(await store.setTokens(key, `${large}9`, stored.createdAt)).toBe(true);
    expect(await store.getTokens(key, stored.createdAt)).toBe(`${large}9`);
  });

  it('keeps the tokens when the session is written again without them', async () => {
    const store = await open();
    const key = newKey();
    const stored = session();
    await store.set(key, stored, SEALED);
    await store.set(key, { ...stored, data: { ...stored.data, app: { theme: 'dark' } } });
    expect(await store.getTokens(key, stored.createdAt)).toBe(SEALED);
  });

  it('replaces the tokens when the session is written again with new ones', async () => {
    const store = await open();
    const key = newKey();
    const stored = session();
    await store.set(key, stored, SEALED);
    await store.set(key, stored, 'sealed-after-a-new-sign-in');
    expect(await store.getTokens(key, stored.createdAt)).toBe('sealed-after-a-new-sign-in');
  });

  it('keeps the tokens of a touched session for as long as the session lives', async () => {
    const store = await open();
    const key = newKey();
    const stored = session();
    await store.set(key, stored, SEALED);
    await store.touch(key, stored.expiresAt - 1, stored.expiresAt + 1000);
    expect(await store.getTokens(key, stored.expiresAt + 999)).toBe(SEALED);
    expect(await store.getTokens(key, stored.expiresAt + 1000)).toBeNull();
  });

  it('has no tokens for a new session, an unknown key or an expired session', async () => {
    const store = await open();
    const key = newKey();
    const stored = session();
    expect(await store.getTokens(key, stored.createdAt)).toBeNull();
    await store.set(key, stored);
    expect(await store.getTokens(key, stored.createdAt)).toBeNull();
    await store.setTokens(key, SEALED, stored.createdAt);
    expect(await store.getTokens(key, stored.expiresAt)).toBeNull();
  });

  it('replaces and removes the tokens of a live session', async () => {
    const store = await open();
    const key = newKey();
    const stored = session();
    await store.set(key, stored, SEALED);
    expect(await store.setTokens(key, 'rotated', stored.createdAt)).toBe(true);
    expect(await store.getTokens(key, stored.createdAt)).toBe('rotated');
    expect(await store.setTokens(key, null, stored.createdAt)).toBe(true);
    expect(await store.getTokens(key, stored.createdAt)).toBeNull();
    expect(await store.get(key, stored.createdAt)).not.toBeNull();
  });

  it('writes no tokens into a session that is gone or expired, and does not bring it back', async () => {
    const store = await open();
    const gone = newKey();
    const stored = session();
    await store.set(gone, stored, SEALED);
    await store.delete(gone);
    expect(await store.setTokens(gone, 'late', stored.createdAt)).toBe(false);
    expect(await store.get(gone, stored.createdAt)).toBeNull();
    expect(await store.getTokens(gone, stored.createdAt)).toBeNull();
    const unknown = newKey();
    expect(await store.setTokens(unknown, 'late', stored.createdAt)).toBe(false);
    expect(await store.get(unknown, stored.createdAt)).toBeNull();
    const expired = newKey();
    await store.set(expired, stored);
    expect(await store.setTokens(expired, 'late', stored.expiresAt)).toBe(false);
    expect(await store.getTokens(expired, stored.createdAt)).toBeNull();
  });

  it('removes the tokens with the session, however it ends', async () => {
    const store = await open();
    const stored = session();
    // One person, one provider session, one short-lived session: each way of ending catches
    // only its own, so a way that forgot the tokens cannot hide behind another.
    const ending = {
      delete: { key: newKey(), session: stored },
      byUser: { key: newKey(), session: session({ user: 'tid:dora' }) },
      bySid: { key: newKey(), session: session({ user: 'tid:eve', sid: 'sid-eve' }) },
      byPurge: {
        key: newKey(),
        session: { ...session({ user: 'tid:fay' }), expiresAt: stored.createdAt + 10 },
      },
    };
    for (const { key, session: each } of Object.values(ending)) await store.set(key, each, SEALED);
    await store.delete(ending.delete.key);
    expect(await store.deleteByUser('tid:dora')).toBe(1);
    expect(await store.deleteByProviderSid('sid-eve')).toBe(1);
    await store.purgeExpired(stored.createdAt + 10);
    // A store that expires by its own clock (Redis' TTL, here 10 ms) needs that time to pass.
    await new Promise((resolve) => setTimeout(resolve, 30));
    for (const { key } of Object.values(ending)) {
      expect(await store.getTokens(key, stored.createdAt)).toBeNull();
      // The row itself is gone, not hidden: a session written again under the key has none.
      await store.set(key, stored);
      expect(await store.getTokens(key, stored.createdAt)).toBeNull();
    }
  });

  it("keeps each session's tokens to itself", async () => {
    const store = await open();
    const [a, b] = [newKey(), newKey()];
    const stored = session();
    await store.set(a, stored, SEALED);
    await store.set(b, session({ user: 'tid:bob' }), 'sealed-tokens-of-session-b');
    await store.setTokens(a, null, stored.createdAt);
    expect(await store.getTokens(b, stored.createdAt)).toBe('sealed-tokens-of-session-b');
  });

  it('rejects the token calls once closed', async () => {
    const store = await open();
    const key = newKey();
    const stored = session();
    await store.set(key, stored, SEALED);
    await store.close();
    await expect(store.getTokens(key, stored.createdAt)).rejects.toThrow();
    await expect(store.setTokens(key, null, stored.createdAt)).rejects.toThrow();
  });
}
