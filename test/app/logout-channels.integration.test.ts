import { randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { BACKCHANNEL_LOGOUT_EVENT } from '../../src/core/flows/logout-token.js';
import {
  HOSTILE_CLIENT_ID,
  isSignedIn,
  signInThroughProvider,
  useHostileSetup,
  type HostileSetup,
} from '../support/hostile-app.js';
import type { SignedJwt } from '../support/hostile-provider-bends.js';
import type { UserAgent } from '../support/user-agent.js';

describe('logout started by the provider', () => {
  let s: HostileSetup;
  useHostileSetup((setup) => (s = setup));

  /** Signs a new agent in with this provider session id (and subject). */
  async function signedInAgent(sid: string, sub = 'hostile-subject-1'): Promise<UserAgent> {
    s.provider.bends.idTokenClaims = (claims) => ({ ...claims, sid, sub });
    const agent = s.userAgent();
    expect((await signInThroughProvider(s, agent)).status).toBe(200);
    return agent;
  }

  describe('front-channel (GET /auth/front_channel_logout)', () => {
    it('ends every session of the sid, in a page only the provider may frame', async () => {
      const sid = randomUUID();
      const [tabA, tabB, other] = [
        await signedInAgent(sid),
        await signedInAgent(sid),
        await signedInAgent(randomUUID()),
      ];
      const page = await s
        .userAgent()
        .get(
          `${s.t.baseUrl}/auth/front_channel_logout?sid=${sid}&iss=${encodeURIComponent(s.provider.issuer)}`,
        );
      expect(page.status).toBe(200);
      expect(page.body).toContain('Signed out');
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain(`frame-ancestors ${s.provider.origin}`);
      expect(csp).not.toContain("frame-ancestors 'none'");
      expect(page.headers.get('x-frame-options')).toBeNull();
      expect(page.headers.get('cache-control')).toContain('no-store');
      expect(await isSignedIn(s, tabA)).toBe(false);
      expect(await isSignedIn(s, tabB)).toBe(false);
      expect(await isSignedIn(s, other)).toBe(true);
    });

    it('keeps every other page unframeable', async () => {
      const page = await s.userAgent().get(`${s.t.baseUrl}/`);
      expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    });

    const refusals: [string, (sid: string) => string][] = [
      ['no sid', () => ''],
      ['an empty sid', () => 'sid='],
      ['a repeated sid', (sid) => `sid=${sid}&sid=${sid}`],
      ['an iss that is not the provider', (sid) => `sid=${sid}&iss=https%3A%2F%2Fevil.example`],
    ];
    for (const [what, query] of refusals) {
      it(`refuses ${what} and ends nothing`, async () => {
        const sid = randomUUID();
        const agent = await signedInAgent(sid);
        const page = await s
          .userAgent()
          .get(`${s.t.baseUrl}/auth/front_channel_logout?${query(sid)}`);
        expect(page.status).toBe(400);
        expect(page.body).toContain('LOGOUT_REQUEST_INVALID');
        expect(await isSignedIn(s, agent)).toBe(true);
      });
    }
  });

  describe('back-channel (POST /auth/back_channel_logout)', () => {
    const now = () => Math.floor(Date.now() / 1000);
    function logoutClaims(extra: JWTPayload = {}): JWTPayload {
      return {
        iss: s.provider.issuer,
        aud: HOSTILE_CLIENT_ID,
        iat: now(),
        jti: randomUUID(),
        events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
        ...extra,
      };
    }
    async function post(token: string) {
      const response = await fetch(`${s.t.baseUrl}/auth/back_channel_logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: token }).toString(),
      });
      return { status: response.status, headers: response.headers, body: await response.text() };
    }
    const typed: SignedJwt = { typ: 'logout+jwt' };

    it('ends the sessions of the sid in the logout token', async () => {
      const sid = randomUUID();
      const [agent, other] = [await signedInAgent(sid), await signedInAgent(randomUUID())];
      const answer = await post(await s.provider.sign(logoutClaims({ sid }), typed));
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(await isSignedIn(s, agent)).toBe(false);
      expect(await isSignedIn(s, other)).toBe(true);
    });

    it('ends every session of the sub when the token has no sid', async () => {
      const sub = `subject-${randomUUID()}`;
      const [one, two] = [
        await signedInAgent(randomUUID(), sub),
        await signedInAgent(randomUUID(), sub),
      ];
      const other = await signedInAgent(randomUUID());
      const answer = await post(await s.provider.sign(logoutClaims({ sub }), typed));
      expect(answer.status).toBe(200);
      expect(await isSignedIn(s, one)).toBe(false);
      expect(await isSignedIn(s, two)).toBe(false);
      expect(await isSignedIn(s, other)).toBe(true);
    });

    it('refuses a replayed logout token (same jti)', async () => {
      const sid = randomUUID();
      await signedInAgent(sid);
      const token = await s.provider.sign(logoutClaims({ sid }), typed);
      expect((await post(token)).status).toBe(200);
      const again = await signedInAgent(sid);
      const replay = await post(token);
      expect(replay.status).toBe(400);
      expect(replay.body).toContain('LOGOUT_TOKEN_REPLAYED');
      expect(await isSignedIn(s, again)).toBe(true);
    });

    const refusals: [string, (c: JWTPayload) => JWTPayload, SignedJwt][] = [
      ['a bad signature', (c) => c, { ...typed, corruptSignature: true }],
      ['alg none', (c) => c, { alg: 'none' }],
      ['typ JWT instead of logout+jwt', (c) => c, { typ: 'JWT' }],
      ['another issuer', (c) => ({ ...c, iss: 'https://evil.example/v2.0' }), typed],
      ['an audience without our client id', (c) => ({ ...c, aud: 'someone-else' }), typed],
      ['no iat', ({ iat: _iat, ...c }) => c, typed],
      ['an iat in the future', (c) => ({ ...c, iat: now() + 600 }), typed],
      ['an iat ten minutes old', (c) => ({ ...c, iat: now() - 600 }), typed],
      ['no jti', ({ jti: _jti, ...c }) => c, typed],
      ['no events claim', ({ events: _events, ...c }) => c, typed],
      ['another event', (c) => ({ ...c, events: { 'urn:other': {} } }), typed],
      ['a nonce', (c) => ({ ...c, nonce: 'n' }), typed],
      ['neither sid nor sub', ({ sid: _sid, ...c }) => c, typed],
    ];
    for (const [what, bend, signing] of refusals) {
      it(`refuses a logout token with ${what} and ends nothing`, async () => {
        const sid = randomUUID();
        const agent = await signedInAgent(sid);
        const answer = await post(await s.provider.sign(bend(logoutClaims({ sid })), signing));
        expect(answer.status).toBe(400);
        expect(JSON.parse(answer.body)).toMatchObject({
          error: 'invalid_request',
          code: 'LOGOUT_TOKEN_INVALID',
        });
        expect(await isSignedIn(s, agent)).toBe(true);
      });
    }

    it('refuses a request without a logout token', async () => {
      const answer = await fetch(`${s.t.baseUrl}/auth/back_channel_logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'something=else',
      });
      expect(answer.status).toBe(400);
    });
  });
});
