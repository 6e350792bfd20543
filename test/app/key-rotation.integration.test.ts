import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  isSignedIn,
  signInThroughProvider,
  startHostileSetup,
  type HostileSetup,
} from '../support/hostile-app.js';

// openid-client (oauth4webapi) keeps a provider's keys for five minutes, and re-fetches them for
// a `kid` it does not know only when those it holds are at least a minute old: a stream of forged
// tokens cannot make the app hammer the provider. The test moves the clock (Date only) instead
// of waiting that minute.
describe('key rotation [rp-key-rotation-op-sign-key]', () => {
  let s: HostileSetup | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await s?.close();
    s = undefined;
  });

  it('accepts the new key after re-fetching the keys, at most once a minute', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    s = await startHostileSetup();
    const first = s.userAgent();
    expect((await signInThroughProvider(s, first)).status).toBe(200);
    expect(s.provider.hits.jwks).toBe(1);

    await s.provider.addKey({ replace: true });
    vi.setSystemTime(Date.now() + 10_000);
    const early = s.userAgent();
    const refused = await signInThroughProvider(s, early);
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('AUTH_TOKEN_INVALID');
    expect(await isSignedIn(s, early)).toBe(false);
    expect(s.provider.hits.jwks).toBe(1);

    vi.setSystemTime(Date.now() + 61_000);
    const later = s.userAgent();
    expect((await signInThroughProvider(s, later)).status).toBe(200);
    expect(await isSignedIn(s, later)).toBe(true);
    expect(s.provider.hits.jwks).toBe(2);
  });
});
