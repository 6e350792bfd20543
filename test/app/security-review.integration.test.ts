/**
 * Regression tests for the points of the security review and the test against an independent
 * OpenID provider (issue 10), each named after what it prevents. The library-level ones (store
 * writes, cross-site POSTs, attempt eviction) have tests beside the code they concern too.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKCHANNEL_LOGOUT_EVENT } from '../../src/core/flows/logout-token.js';
import { startDevIdp } from '../../src/dev-idp/dev-idp.js';
import { buildServer, startAppProcess } from '../support/app-process.js';
import { findFreePort } from '../support/free-port.js';
import { HOSTILE_CLIENT_ID, HOSTILE_CLIENT_SECRET, isSignedIn } from '../support/hostile-app.js';
import { HostileProvider } from '../support/hostile-provider.js';
import { signIn, startTestApp, type TestApp } from '../support/test-app.js';

describe('client authentication against a provider that takes one method only (points 9, 11)', () => {
  async function setUp(methods: ('client_secret_basic' | 'client_secret_post')[], env = {}) {
    const port = await findFreePort();
    const origin = `http://localhost:${port}`;
    const idp = await startDevIdp({
      port: 0,
      nodeEnv: 'test',
      tenantId: 'generic',
      clientId: 'generic-app',
      clientSecret: 'generic-secret',
      clientAuthMethods: methods,
      redirectUris: [`${origin}/auth/redirect`],
      postLogoutRedirectUris: [`${origin}/auth/post_sign_out`],
    });
    const t = await startTestApp({
      PORT: String(port),
      BASE_URL: origin,
      AUTHORITY: idp.issuer,
      CLIENT_ID: 'generic-app',
      CLIENT_SECRET: 'generic-secret',
      ...env,
    });
    return { t, close: () => Promise.all([t.close(), idp.close()]) };
  }

  it('signs in with a client registered for client_secret_basic only', async () => {
    const { t, close } = await setUp(['client_secret_basic']);
    try {
      const page = await signIn(t, t.userAgent());
      expect(page.body).toContain("You're signed in, Alice Example!");
    } finally {
      await close();
    }
  });

  it('signs in with a client registered for client_secret_post only', async () => {
    const { t, close } = await setUp(['client_secret_post']);
    try {
      const page = await signIn(t, t.userAgent());
      expect(page.body).toContain("You're signed in, Alice Example!");
    } finally {
      await close();
    }
  });

  it('says which method it used when a forced method is refused', async () => {
    const { t, close } = await setUp(['client_secret_basic'], {
      CLIENT_AUTH_METHOD: 'client_secret_post',
    });
    try {
      const page = await signIn(t, t.userAgent());
      expect(page.status).toBe(502);
      expect(page.body).toContain('AUTH_CLIENT_REJECTED');
      expect(page.body).toContain('client_secret_post');
      expect(page.body).not.toContain('check CLIENT_ID and CLIENT_SECRET, which');
    } finally {
      await close();
    }
  });
});

describe('with an honest provider and two app instances sharing one store', () => {
  let provider: HostileProvider;
  let first: TestApp;
  let second: TestApp;
  let dir: string;
  beforeAll(async () => {
    provider = await HostileProvider.start({
      clientId: HOSTILE_CLIENT_ID,
      clientSecret: HOSTILE_CLIENT_SECRET,
    });
    dir = mkdtempSync(join(tmpdir(), 'entra-signin-review-'));
    const env = {
      AUTHORITY: provider.authority,
      CLIENT_ID: HOSTILE_CLIENT_ID,
      CLIENT_SECRET: HOSTILE_CLIENT_SECRET,
      SESSION_STORE: `sqlite:${join(dir, 'sessions.db')}`,
    };
    first = await startTestApp(env);
    second = await startTestApp(env);
  });
  afterAll(async () => {
    await Promise.all([first.close(), second.close(), provider.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const setupOf = (t: TestApp) => ({
    t,
    provider,
    userAgent: () => t.userAgent(),
    close: () => Promise.resolve(),
  });

  async function signedInAt(t: TestApp, sub: string) {
    provider.bends.idTokenClaims = (claims) => ({ ...claims, sub, sid: randomUUID() });
    const agent = t.userAgent();
    expect((await agent.get(`${t.baseUrl}/auth/sign_in`)).status).toBe(200);
    return agent;
  }

  it('refuses on another instance a logout token replayed after a later sign-in (point 4)', async () => {
    const sub = `subject-${randomUUID()}`;
    await signedInAt(first, sub);
    const now = Math.floor(Date.now() / 1000);
    const token = await provider.sign(
      {
        iss: provider.issuer,
        aud: HOSTILE_CLIENT_ID,
        iat: now,
        jti: randomUUID(),
        sub,
        events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
      },
      { typ: 'logout+jwt' },
    );
    const post = (t: TestApp) =>
      fetch(`${t.baseUrl}/auth/back_channel_logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: token }).toString(),
      });
    expect((await post(first)).status).toBe(200);
    const later = await signedInAt(second, sub);
    const replay = await post(second);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('LOGOUT_TOKEN_REPLAYED');
    expect(await isSignedIn(setupOf(second), later)).toBe(true);
  });

  it('logs no forged line from the provider’s error parameter (point 5)', async () => {
    const agent = first.userAgent();
    const start = await agent.get(`${first.baseUrl}/auth/sign_in`, { follow: false });
    const state = new URL(start.headers.get('location') ?? '').searchParams.get('state') ?? '';
    const forged = 'x\n{"level":30,"msg":"signed in","user":"admin"}';
    const page = await agent.get(
      `${first.baseUrl}/auth/redirect?state=${state}&error=${encodeURIComponent(forged)}`,
    );
    expect(page.status).toBe(400);
    expect(page.body).toContain('unrecognised_error');
    const logged = first.logs.join('');
    expect(logged).not.toContain('"user":"admin"');
    expect(logged).not.toContain('\\n{\\"level');
  });

  it('sends a signed-in visitor of the signed-out page to the home page (point 8)', async () => {
    const agent = await signedInAt(first, `subject-${randomUUID()}`);
    const page = await agent.get(`${first.baseUrl}/auth/post_sign_out`, { follow: false });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/');
  });

  it('keeps a sign-in started here when other sites force five more (point 3)', async () => {
    const agent = first.userAgent();
    const mine = await agent.get(`${first.baseUrl}/auth/sign_in`, {
      follow: false,
      headers: { 'sec-fetch-site': 'same-origin' },
    });
    for (let i = 0; i < 6; i += 1) {
      await agent.get(`${first.baseUrl}/auth/sign_in`, {
        follow: false,
        headers: { 'sec-fetch-site': 'cross-site' },
      });
    }
    const landed = await agent.get(mine.headers.get('location') ?? '');
    expect(landed.status).toBe(200);
    expect(landed.url).toBe(`${first.baseUrl}/`);
  });

  it('sends X-Frame-Options that agree with frame-ancestors none', async () => {
    const page = await first.userAgent().get(`${first.baseUrl}/`);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
  });
});

describe('the app process with a real provider configured (point 14)', () => {
  it('does not load the development identity provider', async () => {
    const server = await buildServer();
    const port = await findFreePort();
    const idle = await findFreePort();
    const app = await startAppProcess(server, port, {
      AUTHORITY: `http://127.0.0.1:${idle}/tenant/v2.0`,
      CLIENT_ID: 'app',
      CLIENT_SECRET: 'secret',
      SESSION_STORE: 'memory',
      SESSION_SECRET: 'a-session-secret-of-at-least-32-characters!',
    });
    try {
      expect(app.stderr()).not.toContain('oidc-provider');
    } finally {
      await app.stop();
    }
  });

  it('does load it (and says so in its warning) with no tenant: the check above can fail', async () => {
    const server = await buildServer();
    const [port, idpPort] = [await findFreePort(), await findFreePort()];
    const app = await startAppProcess(server, port, {
      DEV_IDP_PORT: String(idpPort),
      SESSION_STORE: 'memory',
    });
    try {
      expect(app.stderr()).toContain('oidc-provider');
    } finally {
      await app.stop();
    }
  });
});
