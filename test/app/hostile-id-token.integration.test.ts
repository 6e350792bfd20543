import type { JWTPayload } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  isSignedIn,
  signInThroughProvider,
  startHostileSetup,
  type HostileSetup,
} from '../support/hostile-app.js';
import { bendsFree, type SignedJwt } from '../support/hostile-provider-bends.js';

// The ID token cases of the OpenID Foundation's RP tests (ids in the names), each run through the
// real app against a provider that bends one thing.
describe('ID tokens from a hostile provider', () => {
  let s: HostileSetup;
  let originalKeys: HostileSetup['provider']['keys'];
  beforeAll(async () => {
    s = await startHostileSetup();
    originalKeys = s.provider.keys;
  });
  afterAll(async () => s.close());
  // The same keys for every test: a new key would be a rotation, which has tests of its own.
  beforeEach(() => {
    s.provider.bends = bendsFree();
    s.provider.keys = originalKeys;
  });

  const now = () => Math.floor(Date.now() / 1000);

  async function expectRefused(code = 'AUTH_TOKEN_INVALID') {
    const agent = s.userAgent();
    const page = await signInThroughProvider(s, agent);
    expect(page.url.startsWith(`${s.t.baseUrl}/auth/redirect?`)).toBe(true);
    expect(page.status).toBe(400);
    expect(page.body).toContain(code);
    expect(page.body).toContain('The identity provider sent a token we cannot trust');
    expect(await isSignedIn(s, agent)).toBe(false);
  }

  async function expectAccepted() {
    const agent = s.userAgent();
    const page = await signInThroughProvider(s, agent);
    expect(page.status).toBe(200);
    expect(page.body).toContain("You're signed in, Mallory Example!");
    expect(await isSignedIn(s, agent)).toBe(true);
  }

  it('signs in with an honest token (the control for every case below)', async () => {
    await expectAccepted();
  });

  const claimCases: [string, (claims: JWTPayload) => JWTPayload][] = [
    [
      'rp-id_token-issuer-mismatch: another issuer',
      (c) => ({ ...c, iss: 'https://evil.example/v2.0' }),
    ],
    ['rp-id_token-sub: no sub', ({ sub: _sub, ...c }) => c],
    ['rp-id_token-aud: an audience without our client id', (c) => ({ ...c, aud: 'someone-else' })],
    [
      'rp-id_token-aud: several audiences and no azp',
      (c) => ({ ...c, aud: [String(c.aud), 'someone-else'] }),
    ],
    [
      'rp-id_token-aud: several audiences and an azp that is not us',
      (c) => ({ ...c, aud: [String(c.aud), 'someone-else'], azp: 'someone-else' }),
    ],
    ['rp-id_token-iat: no iat', ({ iat: _iat, ...c }) => c],
    ['rp-id_token-iat: an iat two minutes in the future', (c) => ({ ...c, iat: now() + 120 })],
    ['an exp past, beyond the clock tolerance', (c) => ({ ...c, exp: now() - 90 })],
    ['rp-nonce-invalid: a wrong nonce', (c) => ({ ...c, nonce: 'not-the-nonce-we-sent' })],
    ['rp-nonce-invalid: no nonce', ({ nonce: _nonce, ...c }) => c],
  ];
  for (const [name, bend] of claimCases) {
    it(`refuses ${name}, and creates no session`, async () => {
      s.provider.bends.idTokenClaims = bend;
      await expectRefused();
    });
  }

  it('accepts an exp 30 s past, within the 60 s clock tolerance', async () => {
    s.provider.bends.idTokenClaims = (c) => ({ ...c, exp: now() - 30 });
    await expectAccepted();
  });

  it('accepts an iat 30 s ahead, within the 60 s clock tolerance', async () => {
    s.provider.bends.idTokenClaims = (c) => ({ ...c, iat: now() + 30 });
    await expectAccepted();
  });

  it('accepts several audiences when azp is our client id', async () => {
    s.provider.bends.idTokenClaims = (c) => ({
      ...c,
      aud: [String(c.aud), 'someone-else'],
      azp: String(c.aud),
    });
    await expectAccepted();
  });

  const signingCases: [string, SignedJwt][] = [
    ['rp-id_token-sig-none: alg none', { alg: 'none' }],
    ['rp-id_token-bad-sig-rs256: a bad signature', { corruptSignature: true }],
    ['a kid the provider does not publish', { kid: 'unknown-kid' }],
  ];
  for (const [name, signing] of signingCases) {
    it(`refuses ${name}, and creates no session`, async () => {
      s.provider.bends.idTokenSigning = signing;
      await expectRefused();
    });
  }

  it('refuses an algorithm the provider does not advertise (ES256 where RS256 is listed)', async () => {
    const ecKey = await s.provider.addKey({ alg: 'ES256' });
    s.provider.bends.idTokenSigning = { key: ecKey };
    await expectRefused();
  });

  it('accepts no kid when the provider publishes one key [rp-id_token-kid-absent-single-jwks]', async () => {
    s.provider.bends.idTokenSigning = { kid: null };
    await expectAccepted();
  });

  it('refuses no kid when the provider publishes several keys [rp-id_token-kid-absent-multiple-jwks]', async () => {
    // Its own provider, publishing two keys before the app first fetches them.
    const several = await startHostileSetup();
    try {
      await several.provider.addKey();
      several.provider.bends.idTokenSigning = { kid: null };
      const agent = several.userAgent();
      const page = await signInThroughProvider(several, agent);
      expect(page.status).toBe(400);
      expect(page.body).toContain('AUTH_TOKEN_INVALID');
      expect(await isSignedIn(several, agent)).toBe(false);
    } finally {
      await several.close();
    }
  });
});
