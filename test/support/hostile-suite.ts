import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { BACKCHANNEL_LOGOUT_EVENT } from '../../src/core/flows/logout-token.js';
import { HOST_SESSION_COOKIE, type StartHost } from './adapter-hosts.js';
import { bendsFree, type SignedJwt } from './hostile-provider-bends.js';
import type { HostileProvider } from './hostile-provider.js';
import {
  HOSTILE_CLIENT_ID,
  sessionCookies,
  useHostileHost,
  type HostileHost,
} from './hostile-host.js';
import { findForms, UserAgent, type Page } from './user-agent.js';

/**
 * The hostile cases of test/app (ID tokens, authorization responses, sign-out, logout channels),
 * run end to end through the host that `start` starts, for the enclosing `describe`: every rule
 * lives in the core, so every host, in this process or an example installed from the packed
 * library, must refuse each case the same way, with the same status, code and cookies. Only
 * what the host's own pages say differs (`host.says`).
 */
export function describeHostileCases(
  start: StartHost,
  options: {
    /** False for a host in another process (an installed example): its log lines are not ours to read. */
    readonly readsLogs?: boolean;
  } = {},
): void {
  let s: HostileHost;
  useHostileHost(start, (setup) => (s = setup));
  const now = () => Math.floor(Date.now() / 1000);

  /** Signs a new agent in (with this provider session id) and checks it worked. */
  async function signedInAgent(sid = randomUUID()): Promise<UserAgent> {
    s.provider.bends.idTokenClaims = (claims) => ({ ...claims, sid });
    const agent = new UserAgent();
    await s.signIn(agent);
    expect(await s.isSignedIn(agent)).toBe(true);
    s.provider.bends = bendsFree();
    return agent;
  }

  /** Signs in through the bent provider and expects a refusal that leaves nobody signed in. */
  async function expectRefused(status: number, code: string): Promise<Page> {
    const agent = new UserAgent();
    const page = await s.signIn(agent);
    expect(page.url.startsWith(s.url('/auth/redirect?'))).toBe(true);
    expect(page.status).toBe(status);
    expect(page.body).toContain(`Error code: <code>${code}</code>`);
    expect(sessionCookies(page)).toEqual([]);
    expect(await s.isSignedIn(agent)).toBe(false);
    return page;
  }

  it('signs in with an honest provider (the control for every case below)', async () => {
    const agent = new UserAgent();
    const landed = await s.signIn(agent);
    expect(landed.url).toBe(s.url('/'));
    expect(landed.body).toContain(s.host.says.signedIn('Mallory Example'));
    const details = await agent.get(s.url('/token_details'));
    expect(details.status).toBe(200);
    expect(details.body).toContain(s.host.says.details('Mallory Example'));
  });

  describe('ID tokens', () => {
    const claimCases: [string, (claims: JWTPayload) => JWTPayload][] = [
      ['from another issuer', (c) => ({ ...c, iss: 'https://evil.example/v2.0' })],
      ['for another audience', (c) => ({ ...c, aud: 'someone-else' })],
      ['that expired beyond the clock tolerance', (c) => ({ ...c, exp: now() - 90 })],
      ['with a nonce we never sent', (c) => ({ ...c, nonce: 'not-the-nonce-we-sent' })],
    ];
    for (const [what, bend] of claimCases) {
      it(`refuses an ID token ${what} and creates no session`, async () => {
        s.provider.bends.idTokenClaims = bend;
        await expectRefused(400, 'AUTH_TOKEN_INVALID');
      });
    }

    it('refuses an unsigned ID token (alg none) and creates no session', async () => {
      s.provider.bends.idTokenSigning = { alg: 'none' };
      await expectRefused(400, 'AUTH_TOKEN_INVALID');
    });

    it('refuses an ID token signed by another key under a published kid and creates no session', async () => {
      s.provider.bends.idTokenSigning = await rogueSigning(s.provider);
      await expectRefused(400, 'AUTH_TOKEN_INVALID');
    });
  });

  describe('authorization responses', () => {
    it('refuses an iss parameter of another issuer (RFC 9207)', async () => {
      s.provider.bends.authorization = (answer) => {
        answer.set('iss', 'https://evil.example/v2.0');
        return answer;
      };
      await expectRefused(400, 'AUTH_ISSUER_MISMATCH');
    });

    it('refuses a state this browser never sent', async () => {
      s.provider.bends.authorization = (answer) => {
        answer.set('state', 'a-state-we-never-sent');
        return answer;
      };
      await expectRefused(400, 'AUTH_ATTEMPT_NOT_FOUND');
    });

    it('refuses an answer with a repeated parameter', async () => {
      s.provider.bends.authorization = (answer) => {
        answer.append('code', 'a-second-code');
        return answer;
      };
      await expectRefused(400, 'AUTH_CALLBACK_INVALID');
    });

    it('shows access_denied as a cancelled sign-in', async () => {
      s.provider.bends.authorization = (answer) =>
        new URLSearchParams({ error: 'access_denied', state: answer.get('state') ?? '' });
      await expectRefused(400, 'AUTH_CANCELLED');
    });

    /** Makes the provider answer with an error value that would forge a log line. */
    function bendErrorWithNewlines(): void {
      s.provider.bends.authorization = (answer) =>
        new URLSearchParams({
          error: 'server_error\r\n{"level":50,"msg":"forged line"}',
          state: answer.get('state') ?? '',
        });
    }

    it('shows a placeholder for an error value with CR/LF, never its text', async () => {
      bendErrorWithNewlines();
      const page = await expectRefused(400, 'AUTH_PROVIDER_ERROR');
      expect(page.body).toContain('<code>unrecognised_error</code>');
      expect(page.body).not.toContain('forged line');
    });

    // A host in another process (an installed example) logs nothing this suite can read: the
    // library is silent without a logger, and the examples give it none. Its page is checked
    // above all the same; the log check is registered only where there are logs to read.
    if (options.readsLogs !== false)
      it('logs a placeholder for an error value with CR/LF, never its text', async () => {
        const logs = s.host.logs;
        if (logs === null) throw new Error('This host keeps no log lines: pass readsLogs: false');
        const logsBefore = logs.length;
        bendErrorWithNewlines();
        await expectRefused(400, 'AUTH_PROVIDER_ERROR');
        const lines = logs.slice(logsBefore);
        expect(lines.join('\n')).not.toContain('forged line');
        const codes = lines.map(
          (line) => (JSON.parse(line) as { providerCode?: unknown }).providerCode,
        );
        expect(codes).toContain('unrecognised_error');
        for (const code of codes.filter((c) => c !== undefined)) {
          expect(code).toMatch(/^[\w.-]{1,64}$/);
        }
      });
  });

  describe('replayed answers', () => {
    it('answers a replay in the same browser with a redirect and no new session cookie', async () => {
      const agent = new UserAgent();
      const answer = await s.providerAnswer(agent);
      await agent.get(answer);
      expect(await s.isSignedIn(agent)).toBe(true);
      const before = await agent.cookie(s.host.baseUrl, HOST_SESSION_COOKIE);
      const replay = await agent.get(answer, { follow: false });
      expect(replay.status).toBe(303);
      expect(replay.headers.get('location')).toBe('/');
      expect(replay.headers.getSetCookie()).toEqual([]);
      expect(await agent.cookie(s.host.baseUrl, HOST_SESSION_COOKIE)).toBe(before);
    });

    it('refuses a replay in another browser with the attempt cookie copied, even when the provider accepts the code twice', async () => {
      const agent = new UserAgent();
      const answer = await s.providerAnswer(agent);
      const attemptCookie = await agent.jar.getCookieString(s.host.baseUrl);
      await agent.get(answer);
      expect(await s.isSignedIn(agent)).toBe(true);
      // A lax provider that answers the spent code again with the same tokens (so the nonce
      // matches): only the core's single-use record of the state stands in the way.
      const [idToken, accessToken, refreshToken] = s.provider.issuedTokens.slice(-3);
      s.provider.bends.tokenEndpoint = () => ({
        status: 200,
        body: {
          token_type: 'Bearer',
          expires_in: 3600,
          id_token: idToken,
          access_token: accessToken,
          refresh_token: refreshToken,
        },
      });
      const thief = new UserAgent();
      const page = await thief.request('GET', answer, undefined, { cookie: attemptCookie });
      expect(page.status).toBe(400);
      expect(page.body).toContain('Error code: <code>AUTH_ATTEMPT_NOT_FOUND</code>');
      expect(sessionCookies(page)).toEqual([]);
      expect(await s.isSignedIn(thief)).toBe(false);
    });
  });

  describe('sign-out', () => {
    /** The CSRF token of the agent's sign-out form. */
    async function csrfToken(agent: UserAgent): Promise<string> {
      const page = await agent.get(s.url('/auth/sign_out'));
      return findForms(page.body)[0]?.hidden['csrf_token'] ?? '';
    }

    it('refuses a cross-site sign-out POST and leaves the person signed in', async () => {
      const agent = await signedInAgent();
      const page = await agent.request(
        'POST',
        s.url('/auth/sign_out'),
        new URLSearchParams({ csrf_token: await csrfToken(agent) }),
        { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      );
      expect(page.status).toBe(403);
      expect(page.body).toContain('Error code: <code>REQUEST_CROSS_SITE</code>');
      expect(page.headers.getSetCookie()).toEqual([]);
      expect(await s.isSignedIn(agent)).toBe(true);
    });

    it('sends no cookie for a sign-out POST without a session', async () => {
      const page = await new UserAgent().request(
        'POST',
        s.url('/auth/sign_out'),
        new URLSearchParams({}),
        { 'sec-fetch-site': 'same-origin' },
      );
      expect(page.status).toBe(303);
      expect(page.headers.get('location')).toBe('/auth/post_sign_out');
      expect(page.headers.getSetCookie()).toEqual([]);
    });

    it('ends the session for a sign-out POST with its CSRF token', async () => {
      const agent = await signedInAgent();
      const form = await agent.get(s.url('/auth/sign_out'));
      const atProvider = await agent.submitForm(form);
      expect(atProvider.url.startsWith(s.provider.origin)).toBe(true);
      expect(await s.isSignedIn(agent)).toBe(false);
    });
  });

  describe('back-channel logout', () => {
    function logoutToken(sid: string): Promise<string> {
      return s.provider.sign(
        {
          iss: s.provider.issuer,
          aud: HOSTILE_CLIENT_ID,
          iat: now(),
          jti: randomUUID(),
          sid,
          events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
        },
        { typ: 'logout+jwt' },
      );
    }

    async function postLogoutToken(token: string) {
      const response = await fetch(s.url('/auth/back_channel_logout'), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: token }).toString(),
      });
      return { status: response.status, body: await response.text() };
    }

    it('refuses a replayed logout token and ends nothing the second time', async () => {
      const sid = randomUUID();
      const first = await signedInAgent(sid);
      const token = await logoutToken(sid);
      expect((await postLogoutToken(token)).status).toBe(200);
      expect(await s.isSignedIn(first)).toBe(false);
      const again = await signedInAgent(sid);
      const replay = await postLogoutToken(token);
      expect(replay.status).toBe(400);
      expect(JSON.parse(replay.body)).toMatchObject({
        error: 'invalid_request',
        code: 'LOGOUT_TOKEN_REPLAYED',
      });
      expect(await s.isSignedIn(again)).toBe(true);
    });

    it('reads a logout token only from an urlencoded form, as every adapter does', async () => {
      const sid = randomUUID();
      const agent = await signedInAgent(sid);
      const token = await logoutToken(sid);
      for (const type of ['text/plain', 'application/json']) {
        const body =
          type === 'application/json'
            ? JSON.stringify({ logout_token: token })
            : new URLSearchParams({ logout_token: token }).toString();
        const response = await fetch(s.url('/auth/back_channel_logout'), {
          method: 'POST',
          headers: { 'content-type': type },
          body,
        });
        expect(response.status).toBe(400);
        expect(await response.text()).toContain('LOGOUT_TOKEN_INVALID');
      }
      expect(await s.isSignedIn(agent)).toBe(true);
    });
  });

  describe('JSON errors (Accept: application/json)', () => {
    const json = { accept: 'application/json' };

    it('answers the guard of a signed-out visitor with 401 JSON', async () => {
      const page = await new UserAgent().get(s.url('/token_details'), { headers: json });
      expect(page.status).toBe(401);
      expect(page.headers.get('content-type')).toContain('application/json');
      expect(JSON.parse(page.body)).toMatchObject({ error: 'NOT_SIGNED_IN' });
    });

    it('answers a refused sign-in answer with its code in JSON and creates no session', async () => {
      s.provider.bends.idTokenClaims = (c) => ({ ...c, iss: 'https://evil.example/v2.0' });
      const agent = new UserAgent();
      const page = await agent.get(await s.providerAnswer(agent), { headers: json });
      expect(page.status).toBe(400);
      expect(page.headers.get('content-type')).toContain('application/json');
      expect(JSON.parse(page.body)).toMatchObject({ error: 'AUTH_TOKEN_INVALID' });
      expect(sessionCookies(page)).toEqual([]);
      expect(await s.isSignedIn(agent)).toBe(false);
    });

    it('answers an unknown state with its code in JSON', async () => {
      const page = await new UserAgent().get(s.url('/auth/redirect?code=c&state=unknown'), {
        headers: json,
      });
      expect(page.status).toBe(400);
      expect(JSON.parse(page.body)).toMatchObject({ error: 'AUTH_ATTEMPT_NOT_FOUND' });
    });
  });
}

/** Signing with a key the provider never published, under the kid of one it did. */
async function rogueSigning(provider: HostileProvider): Promise<SignedJwt> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = provider.keys[0]?.kid ?? '';
  return { key: { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256' } } };
}
