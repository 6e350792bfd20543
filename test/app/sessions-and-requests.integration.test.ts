import { signCookieValue } from '../../src/core/session/session-cookie.js';
import { describe, expect, it } from 'vitest';
import {
  HOSTILE_CLIENT_ID,
  isSignedIn,
  signInThroughProvider,
  useHostileSetup,
  type HostileSetup,
} from '../support/hostile-app.js';
import { findForms, type UserAgent } from '../support/user-agent.js';

describe('sessions, sign-out and requests (OWASP ASVS V3)', () => {
  let s: HostileSetup;
  useHostileSetup((setup) => (s = setup));

  async function signedIn(): Promise<UserAgent> {
    const agent = s.userAgent();
    expect((await signInThroughProvider(s, agent)).status).toBe(200);
    return agent;
  }

  /** Submits the sign-out form of the sign-out page; returns the redirect, not followed. */
  async function signOut(agent: UserAgent) {
    const page = await agent.get(`${s.t.baseUrl}/auth/sign_out`);
    const form = findForms(page.body)[0];
    return agent.post(`${s.t.baseUrl}/auth/sign_out`, form?.hidden ?? {}, { follow: false });
  }

  describe('RP-initiated logout', () => {
    it('sends the provider post_logout_redirect_uri, client_id and id_token_hint', async () => {
      const agent = await signedIn();
      const answer = await signOut(agent);
      expect(answer.status).toBe(303);
      const location = new URL(answer.headers.get('location') ?? '');
      expect(`${location.origin}${location.pathname}`).toBe(
        `${s.provider.authority.replace('/v2.0', '')}/oauth2/v2.0/logout`,
      );
      expect(location.searchParams.get('post_logout_redirect_uri')).toBe(
        s.t.config.postSignOutRedirectUri,
      );
      expect(location.searchParams.get('client_id')).toBe(HOSTILE_CLIENT_ID);
      expect(s.provider.issuedTokens).toContain(location.searchParams.get('id_token_hint'));
      expect(location.searchParams.get('logout_hint')).toBeNull();
    });

    it('sends logout_hint instead when the ID token carried login_hint', async () => {
      s.provider.bends.idTokenClaims = (c) => ({ ...c, login_hint: 'O.opaque-hint' });
      const answer = await signOut(await signedIn());
      const location = new URL(answer.headers.get('location') ?? '');
      expect(location.searchParams.get('logout_hint')).toBe('O.opaque-hint');
      expect(location.searchParams.get('id_token_hint')).toBeNull();
    });

    it('leaves the old session id worthless after sign-out', async () => {
      const agent = await signedIn();
      const name = s.t.config.session.cookieName;
      const before = await agent.cookie(s.t.baseUrl, name);
      await signOut(agent);
      expect(await agent.cookie(s.t.baseUrl, name)).toBeUndefined();
      const replayed = await s.userAgent().get(`${s.t.baseUrl}/token_details`, {
        headers: { cookie: `${name}=${before ?? ''}` },
      });
      expect(replayed.status).toBe(401);
    });

    it('refuses a cross-site sign-out POST, even before reading its CSRF token', async () => {
      const agent = await signedIn();
      const page = await agent.request(
        'POST',
        `${s.t.baseUrl}/auth/sign_out`,
        new URLSearchParams({ next: '/' }),
        { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      );
      expect(page.status).toBe(403);
      expect(page.body).toContain('REQUEST_CROSS_SITE');
      expect(await isSignedIn(s, agent)).toBe(true);
    });

    it('refuses a same-origin sign-out POST without the CSRF token', async () => {
      const agent = await signedIn();
      const page = await agent.request(
        'POST',
        `${s.t.baseUrl}/auth/sign_out`,
        new URLSearchParams({ next: '/' }),
        { origin: s.t.baseUrl, 'sec-fetch-site': 'same-origin' },
      );
      expect(page.status).toBe(403);
      expect(page.body).toContain('CSRF_TOKEN_INVALID');
      expect(await isSignedIn(s, agent)).toBe(true);
    });

    it('changes no cookie for a cookie-less cross-site sign-out (issue 10, point 2)', async () => {
      // SameSite=Lax keeps the cookie off a cross-site POST, and the browser would still accept a
      // clearing Set-Cookie on that top-level navigation: nothing may be sent back.
      const page = await s
        .userAgent()
        .request('POST', `${s.t.baseUrl}/auth/sign_out`, new URLSearchParams({}), {
          'sec-fetch-site': 'same-origin',
        });
      expect(page.headers.getSetCookie()).toEqual([]);
    });
  });

  describe('post_sign_in_url', () => {
    const refused = [
      '//evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      'https://evil.example',
      'http:evil.example',
      '/%2F%2Fevil.example',
      '%2F%2Fevil.example',
      '/%5Cevil.example',
      '/%5C%5Cevil.example',
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'javascript%3Aalert(1)',
      ' //evil.example',
      '/\t/evil.example',
      '/.//evil.example',
      '/a/..//evil.example',
    ];
    for (const returnTo of refused) {
      it(`lands on / instead of ${JSON.stringify(returnTo)}`, async () => {
        const agent = s.userAgent();
        const landed = await signInThroughProvider(
          s,
          agent,
          `?post_sign_in_url=${encodeURIComponent(returnTo)}`,
        );
        expect(landed.url).toBe(`${s.t.baseUrl}/`);
        expect(
          agent.visited.some((url) => url.includes('evil.example') && !url.includes('?')),
        ).toBe(false);
      });
    }
  });

  describe('tokens at rest', () => {
    it('keeps ID, access and refresh tokens out of cookies, URLs, logs and pages', async () => {
      const agent = await signedIn();
      const pages = [
        await agent.get(`${s.t.baseUrl}/`),
        await agent.get(`${s.t.baseUrl}/auth/sign_out`),
        await agent.get(`${s.t.baseUrl}/nope`),
      ];
      const cookies = (await agent.jar.getCookies(s.t.baseUrl)).map((c) => c.toString());
      const tokens = s.provider.issuedTokens.slice(-3);
      expect(tokens).toHaveLength(3);
      for (const token of tokens) {
        for (const where of [
          ...cookies,
          ...agent.visited,
          s.t.logs.join(''),
          ...pages.map((p) => p.body),
        ]) {
          expect(where).not.toContain(token);
        }
      }
      // The claims page shows the claims, not the tokens themselves.
      const claims = await agent.get(`${s.t.baseUrl}/token_details`);
      expect(claims.body).toContain('Mallory Example');
      for (const token of tokens) expect(claims.body).not.toContain(token);
    });
  });

  describe('garbage in', () => {
    it('answers a well-formed but unknown session id as signed out', async () => {
      const id = 'A'.repeat(43);
      const page = await s.userAgent().get(`${s.t.baseUrl}/token_details`, {
        headers: {
          cookie: `${s.t.config.session.cookieName}=${signCookieValue(id, s.t.config.session.secrets)}`,
        },
      });
      expect(page.status).toBe(401);
    });

    it('answers a truncated session cookie as signed out', async () => {
      const agent = await signedIn();
      const name = s.t.config.session.cookieName;
      const value = (await agent.cookie(s.t.baseUrl, name)) ?? '';
      const page = await s.userAgent().get(`${s.t.baseUrl}/token_details`, {
        headers: { cookie: `${name}=${value.slice(0, 20)}` },
      });
      expect(page.status).toBe(401);
    });

    it('answers a huge header with 431 and keeps serving', async () => {
      const response = await fetch(`${s.t.baseUrl}/`, {
        headers: { 'x-huge': 'a'.repeat(64 * 1024) },
      });
      expect(response.status).toBe(431);
      expect((await fetch(`${s.t.baseUrl}/healthz`)).status).toBe(200);
    });
  });
});
