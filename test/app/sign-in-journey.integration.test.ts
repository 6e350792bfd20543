import { MemorySessionStore } from '../../src/core/session/memory-store.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, startTestApp, type TestApp } from '../support/test-app.js';

describe('the sign-in journey against the development identity provider', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('greets a signed-out visitor and shows the redirect URI to register', async () => {
    const home = await t.userAgent().get(`${t.baseUrl}/`);
    expect(home.status).toBe(200);
    expect(home.body).toContain("You're not signed in.");
    expect(home.body).toContain('href="/auth/sign_in"');
    expect(home.body).toContain(`${t.baseUrl}/auth/redirect`);
  });

  it('signs Alice in, shows her claims, signs her out, then answers 401', async () => {
    const agent = t.userAgent();
    const landed = await signIn(t, agent);
    expect(landed.url).toBe(`${t.baseUrl}/`);
    expect(landed.body).toContain("You're signed in, Alice Example!");
    expect(landed.body).toContain('Hello Alice Example!');
    expect(landed.body).not.toContain('Redirect URI to register');

    const details = await agent.get(`${t.baseUrl}/token_details`);
    expect(details.status).toBe(200);
    expect(details.body).toContain('alice@contoso.test');
    expect(details.body).toContain('a11ce000-0000-4000-8000-000000000001');
    expect(details.body).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);

    // The nav's sign-out form goes to the provider's end-session page, which asks to confirm.
    const confirm = await agent.submitForm(details);
    expect(confirm.url.startsWith(t.idp.issuer)).toBe(true);
    const back = await agent.submitForm(confirm, { logout: 'yes' });
    // The provider came back with the state the sign-out sent (issue 10, point 10).
    expect(back.url).toMatch(new RegExp(`^${t.baseUrl}/auth/post_sign_out\\?state=[\\w-]{43}$`));
    expect(back.body).toContain("You're signed out.");
    expect(back.body).toContain('the identity provider confirmed your sign-out');

    const home = await agent.get(`${t.baseUrl}/`);
    expect(home.body).toContain("You're not signed in.");
    const after = await agent.get(`${t.baseUrl}/token_details`);
    expect(after.status).toBe(401);
    expect(after.body).toContain('You need to sign in');
    expect(after.body).toContain('/auth/sign_in?post_sign_in_url=%2Ftoken_details');
  });

  it('sends the browser to the provider with PKCE, state and nonce', async () => {
    const page = await t.userAgent().get(`${t.baseUrl}/auth/sign_in`, { follow: false });
    expect(page.status).toBe(302);
    const location = new URL(page.headers.get('location') ?? '');
    expect(location.href.startsWith(`${t.idp.issuer}/auth`)).toBe(true);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(location.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
    expect(location.searchParams.get('nonce')).toMatch(/^[\w-]{43}$/);
    expect(location.searchParams.get('redirect_uri')).toBe(`${t.baseUrl}/auth/redirect`);
    expect(location.searchParams.get('response_type')).toBe('code');
  });

  it('keeps a wrong password on the provider page, with its error, and signs nobody in', async () => {
    const agent = t.userAgent();
    const page = await signIn(t, agent, { password: 'wrong' });
    expect(page.url.startsWith(`http://127.0.0.1:${t.idp.port}/interaction/`)).toBe(true);
    expect(page.body).toContain('That username and password do not match an account.');
    const details = await agent.get(`${t.baseUrl}/token_details`);
    expect(details.status).toBe(401);
  });

  it('shows the error page when the person cancels at the provider', async () => {
    const agent = t.userAgent();
    const loginPage = await agent.get(`${t.baseUrl}/auth/sign_in`);
    const page = await agent.submitForm(loginPage, {}, 1);
    expect(page.url.startsWith(`${t.baseUrl}/auth/redirect?`)).toBe(true);
    expect(page.status).toBe(400);
    expect(page.body).toContain('Sign-in was cancelled');
    expect(page.body).toContain('access_denied');
    expect(page.body).toContain('AUTH_CANCELLED');
    expect(page.body).toMatch(/Correlation id: <code>[0-9a-f-]{36}<\/code>/);
    expect((await agent.get(`${t.baseUrl}/token_details`)).status).toBe(401);
  });

  it('refuses a forged state and creates no session', async () => {
    const agent = t.userAgent();
    await agent.get(`${t.baseUrl}/auth/sign_in`, { follow: false });
    const page = await agent.get(`${t.baseUrl}/auth/redirect?code=abc&state=forged-state`);
    expect(page.status).toBe(400);
    expect(page.body).toContain('AUTH_ATTEMPT_NOT_FOUND');
    expect(page.body).not.toMatch(/at .*\.ts:\d+/);
    expect((await agent.get(`${t.baseUrl}/token_details`)).status).toBe(401);
  });

  it('refuses an answer from a browser that started no sign-in', async () => {
    const page = await t.userAgent().get(`${t.baseUrl}/auth/redirect?code=abc&state=abc`);
    expect(page.status).toBe(400);
    expect(page.body).toContain('AUTH_ATTEMPT_NOT_FOUND');
  });

  it('ignores a post_sign_in_url on another site', async () => {
    const landed = await signIn(t, t.userAgent(), { returnTo: 'https://elsewhere.example/' });
    expect(landed.url).toBe(`${t.baseUrl}/`);
    expect(landed.body).toContain("You're signed in, Alice Example!");
  });

  it('returns to a same-site post_sign_in_url', async () => {
    const landed = await signIn(t, t.userAgent(), { returnTo: '/token_details' });
    expect(landed.url).toBe(`${t.baseUrl}/token_details`);
    expect(landed.status).toBe(200);
  });

  it('treats a tampered session cookie as signed out', async () => {
    const agent = t.userAgent();
    await signIn(t, agent);
    const name = t.config.session.cookieName;
    const value = await agent.cookie(t.baseUrl, name);
    expect(value).toBeDefined();
    // One character changed, to one it surely was not.
    const original = (value ?? '').charAt(10);
    const tampered = `${(value ?? '').slice(0, 10)}${original === 'x' ? 'y' : 'x'}${(value ?? '').slice(11)}`;
    await agent.jar.setCookie(`${name}=${tampered}; Path=/`, t.baseUrl);
    const details = await agent.get(`${t.baseUrl}/token_details`);
    expect(details.status).toBe(401);
    const home = await agent.get(`${t.baseUrl}/`);
    expect(home.status).toBe(200);
    expect(home.body).toContain("You're not signed in.");
  });

  it('gives a new session id at sign-in, and ends the session it replaces', async () => {
    const agent = t.userAgent();
    await signIn(t, agent);
    const before = await agent.cookie(t.baseUrl, t.config.session.cookieName);
    // The provider remembers Alice and signs her in again without a form.
    const again = await agent.get(`${t.baseUrl}/auth/sign_in`);
    expect(again.url).toBe(`${t.baseUrl}/`);
    const after = await agent.cookie(t.baseUrl, t.config.session.cookieName);
    expect(before).toBeDefined();
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    const old = await t.userAgent().get(`${t.baseUrl}/token_details`, {
      headers: { cookie: `${t.config.session.cookieName}=${before ?? ''}` },
    });
    expect(old.status).toBe(401);
  });

  it('signs in two tabs that started at once', async () => {
    const agent = t.userAgent();
    const tabA = await agent.get(`${t.baseUrl}/auth/sign_in?post_sign_in_url=%2F%3Ftab%3Da`);
    const tabB = await agent.get(`${t.baseUrl}/auth/sign_in?post_sign_in_url=%2F%3Ftab%3Db`);
    const landedA = await agent.submitForm(tabA, {
      username: 'alice@contoso.test',
      password: 'Passw0rd!',
    });
    expect(landedA.url).toBe(`${t.baseUrl}/?tab=a`);
    const landedB = await agent.submitForm(tabB, {
      username: 'alice@contoso.test',
      password: 'Passw0rd!',
    });
    expect(landedB.url).toBe(`${t.baseUrl}/?tab=b`);
    expect(landedB.body).toContain("You're signed in, Alice Example!");
  });

  it('answers a replayed sign-in answer without a second session', async () => {
    const agent = t.userAgent();
    await signIn(t, agent);
    const callback = agent.visited.find((url) => url.startsWith(`${t.baseUrl}/auth/redirect?`));
    expect(callback).toBeDefined();
    const before = await agent.cookie(t.baseUrl, t.config.session.cookieName);
    const replay = await agent.get(callback ?? '', { follow: false });
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toBe('/');
    expect(replay.headers.getSetCookie()).toEqual([]);
    expect(await agent.cookie(t.baseUrl, t.config.session.cookieName)).toBe(before);
  });

  it('refuses a sign-out POST without the CSRF token and keeps the person signed in', async () => {
    const agent = t.userAgent();
    await signIn(t, agent);
    const page = await agent.post(`${t.baseUrl}/auth/sign_out`, { csrf_token: 'forged' });
    expect(page.status).toBe(403);
    expect(page.body).toContain('CSRF_TOKEN_INVALID');
    expect((await agent.get(`${t.baseUrl}/token_details`)).status).toBe(200);
  });

  it('shows a sign-out page with a button on GET /auth/sign_out', async () => {
    const agent = t.userAgent();
    await signIn(t, agent);
    const page = await agent.get(`${t.baseUrl}/auth/sign_out`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Sign out?');
    expect(page.body).toMatch(/name="csrf_token" value="[^"]+"/);
  });

  it('ends the local session before the provider is asked', async () => {
    const agent = t.userAgent();
    const landed = await signIn(t, agent);
    const toProvider = await agent.submitForm(landed, {}, 0).then((p) => p);
    // The agent followed to the provider's confirmation page but has not confirmed.
    expect(toProvider.url.startsWith(t.idp.issuer)).toBe(true);
    expect((await agent.get(`${t.baseUrl}/token_details`)).status).toBe(401);
  });

  it('marks every page no-store and sends a CSP without inline script', async () => {
    const page = await t.userAgent().get(`${t.baseUrl}/`);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('sets the sign-in and session cookies HttpOnly and SameSite=Lax', async () => {
    const page = await t.userAgent().get(`${t.baseUrl}/auth/sign_in`, { follow: false });
    const cookie = page.headers.getSetCookie().join('\n');
    expect(cookie).toContain(`${t.config.session.cookieName}-signin-`);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    const agent = t.userAgent();
    await signIn(t, agent);
    expect(await agent.cookie(t.baseUrl, t.config.session.cookieName)).toBeDefined();
  });

  it('writes nothing to the session store for a visitor who only starts sign-ins (issue 10, point 1)', async () => {
    const store = new MemorySessionStore();
    const app = await startTestApp({}, { store });
    try {
      let writes = 0;
      const set = store.set.bind(store);
      const markUsed = store.markUsed.bind(store);
      store.set = (...args) => ((writes += 1), set(...args));
      store.markUsed = (...args) => ((writes += 1), markUsed(...args));
      for (let i = 0; i < 50; i += 1) {
        const page = await app
          .userAgent()
          .get(`${app.baseUrl}/auth/sign_in?post_sign_in_url=%2F${'x'.repeat(1000)}`, {
            follow: false,
          });
        expect(page.status).toBe(302);
      }
      expect(writes).toBe(0);
      await signIn(app, app.userAgent());
      expect(writes).toBe(2);
    } finally {
      await app.close();
    }
  });

  it('answers /healthz with JSON', async () => {
    const response = await fetch(`${t.baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers an unknown path with a 404 page', async () => {
    const page = await t.userAgent().get(`${t.baseUrl}/nope`);
    expect(page.status).toBe(404);
    expect(page.body).toContain('Page not found');
  });

  it('serves the stylesheet itself', async () => {
    const response = await fetch(`${t.baseUrl}/static/app.css`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/css');
  });

  it('never writes codes, states, tokens or cookies to the log', async () => {
    const agent = t.userAgent();
    await signIn(t, agent);
    await agent.get(`${t.baseUrl}/token_details`);
    const callback = new URL(
      agent.visited.find((u) => u.startsWith(`${t.baseUrl}/auth/redirect?`)) ?? '',
    );
    const secrets = [
      callback.searchParams.get('code'),
      callback.searchParams.get('state'),
      await agent.cookie(t.baseUrl, t.config.session.cookieName),
      t.config.oidc.clientSecret,
    ];
    const log = t.logs.join('');
    expect(log).toContain('/auth/redirect?code=[redacted]');
    for (const secret of secrets) {
      expect(secret).toBeTruthy();
      expect(log).not.toContain(secret);
    }
    expect(log).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });
});
