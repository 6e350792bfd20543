import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('bad input', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  const cases: [string, string][] = [
    ['invalid percent-encoding in the query', '/auth/redirect?state=%E0%A4%A&code=%'],
    ['a repeated state', '/auth/redirect?state=a&state=b&code=c'],
    ['no state at all', '/auth/redirect?code=abc'],
    ['an empty query', '/auth/redirect'],
    ['a very long query', `/auth/redirect?state=${'a'.repeat(6000)}`],
    ['invalid percent-encoding in the path', '/%E0%A4%A'],
    ['a post_sign_in_url with bad encoding', '/auth/sign_in?post_sign_in_url=%ZZ'],
  ];
  for (const [what, path] of cases) {
    it(`answers ${what} with a 4xx page, not a crash`, async () => {
      const agent = t.userAgent();
      const page = await agent.get(`${t.baseUrl}${path}`, { follow: false });
      // sign_in with a bad return address still starts a sign-in (the address is ignored).
      if (path.startsWith('/auth/sign_in')) {
        expect(page.status).toBe(302);
      } else {
        expect(page.status).toBeGreaterThanOrEqual(400);
        expect(page.status).toBeLessThan(500);
        expect(page.body).not.toMatch(/\bat .+:\d+:\d+/);
      }
      expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
    });
  }

  it('treats a cookie of random bytes as signed out', async () => {
    const page = await t.userAgent().get(`${t.baseUrl}/token_details`, {
      headers: { cookie: `${t.config.session.cookieName}=%00%FF%FE\u00e9garbage; other=1` },
    });
    expect(page.status).toBe(401);
  });

  it('answers JSON clients with a JSON error', async () => {
    const response = await fetch(`${t.baseUrl}/token_details`, {
      headers: { accept: 'application/json' },
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: string; correlationId: string };
    expect(body.error).toBe('NOT_SIGNED_IN');
    expect(body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
