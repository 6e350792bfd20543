import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { HOST_KINDS, HOST_SESSION_COOKIE, startHost } from '../support/adapter-hosts.js';
import { useHostileHost, type HostileHost } from '../support/hostile-host.js';
import { UserAgent, type Page } from '../support/user-agent.js';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const SAFARI_PHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

// "Where you're signed in" is the library's, so every adapter serves it: the built-in page at
// {prefix}/sessions, with forms that end one session by its handle or all the others.
describe.each(HOST_KINDS)('the %s adapter: where you are signed in', (kind) => {
  let s: HostileHost;
  useHostileHost(
    (options) => startHost(kind, options),
    (setup) => (s = setup),
  );

  // One person per test, as the host's store outlives each test.
  let person: string;
  beforeEach(() => {
    person = randomUUID();
  });

  async function browser(userAgent: string, sub = person): Promise<UserAgent> {
    s.provider.bends.idTokenClaims = (base) => ({ ...base, sub });
    const agent = new UserAgent({ userAgent });
    await s.signIn(agent);
    expect(await s.isSignedIn(agent)).toBe(true);
    return agent;
  }

  function handlesOn(page: Page): string[] {
    return [...page.body.matchAll(/name="session" value="([^"]+)"/g)].map((m) => m[1] ?? '');
  }

  function csrfOn(page: Page): string {
    return /name="csrf_token" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  }

  function auditEvents(type: string): Record<string, unknown>[] {
    return (s.host.logs ?? [])
      .map((line) => JSON.parse(line) as { msg?: string; audit?: Record<string, unknown> })
      .filter((line) => line.msg === 'audit' && line.audit?.['type'] === type)
      .map((line) => line.audit ?? {});
  }

  it('lists each browser of the person, this one marked, with what it was and from where', async () => {
    await browser(FIREFOX);
    const phone = await browser(SAFARI_PHONE);
    const page = await phone.get(s.url('/auth/sessions'));
    expect(page.status).toBe(200);
    expect(page.body).toContain('Safari 17 on iOS 17.5</strong> (this browser)');
    expect(page.body).toContain('Firefox 133 on Linux</strong><br>');
    expect(page.body).toContain('Address at sign-in: ');
    expect(page.body).toMatch(/Address at sign-in: (::ffff:)?127\.0\.0\.1/);
    // The other browser's handle names it; nothing on the page is a cookie's value.
    expect(handlesOn(page)).toHaveLength(1);
    for (const cookie of await phone.jar.getCookies(s.url('/'))) {
      expect(page.body).not.toContain(cookie.value);
    }
  });

  it('signs out the other browser by its handle, at once, and keeps this one', async () => {
    const laptop = await browser(FIREFOX);
    const phone = await browser(SAFARI_PHONE);
    const page = await phone.get(s.url('/auth/sessions'));
    const [handle] = handlesOn(page);
    const done = await phone.post(s.url('/auth/sessions/end'), {
      session: handle ?? '',
      csrf_token: csrfOn(page),
    });
    expect(done.url).toBe(s.url('/auth/sessions?notice=ended_one'));
    expect(done.body).toContain('That session is signed out.');
    expect(await s.isSignedIn(laptop)).toBe(false);
    expect(await s.isSignedIn(phone)).toBe(true);
    const [event] = auditEvents('sessions-ended').slice(-1);
    expect(event).toMatchObject({ endedBy: 'person', count: 1, sessions: [handle] });
  });

  it("does nothing with another person's handle, says so, and logs the refusal", async () => {
    const alice = await browser(FIREFOX, `alice-${person}`);
    await browser(SAFARI_PHONE, `alice-${person}`);
    const [aliceHandle] = handlesOn(await alice.get(s.url('/auth/sessions')));
    const bob = await browser(FIREFOX, `bob-${person}`);
    const bobPage = await bob.get(s.url('/auth/sessions'));
    const refused = await bob.post(s.url('/auth/sessions/end'), {
      session: aliceHandle ?? '',
      csrf_token: csrfOn(bobPage),
    });
    expect(refused.body).toContain('was not found among yours');
    expect(await s.isSignedIn(alice)).toBe(true);
    expect(handlesOn(await alice.get(s.url('/auth/sessions')))).toHaveLength(1);
    const [event] = auditEvents('session-end-refused').slice(-1);
    expect(event).toMatchObject({ session: aliceHandle });
  });

  it('refuses a form without the CSRF token, and ends nothing', async () => {
    const laptop = await browser(FIREFOX);
    const phone = await browser(SAFARI_PHONE);
    const [handle] = handlesOn(await phone.get(s.url('/auth/sessions')));
    const refused = await phone.post(s.url('/auth/sessions/end'), { session: handle ?? '' });
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('CSRF_TOKEN_INVALID');
    const others = await phone.post(s.url('/auth/sessions/end_others'), {});
    expect(others.status).toBe(403);
    expect(await s.isSignedIn(laptop)).toBe(true);
  });

  it('signs out every other browser, and only those', async () => {
    const first = await browser(FIREFOX);
    const second = await browser(FIREFOX);
    const here = await browser(SAFARI_PHONE);
    const page = await here.get(s.url('/auth/sessions'));
    expect(handlesOn(page)).toHaveLength(2);
    const done = await here.post(s.url('/auth/sessions/end_others'), { csrf_token: csrfOn(page) });
    expect(done.body).toContain('Every other session is signed out.');
    expect(await s.isSignedIn(first)).toBe(false);
    expect(await s.isSignedIn(second)).toBe(false);
    expect(await s.isSignedIn(here)).toBe(true);
    expect(handlesOn(done)).toHaveLength(0);
  });

  it('answers a signed-out visitor 401, and a forged cookie the same', async () => {
    expect((await new UserAgent().get(s.url('/auth/sessions'))).status).toBe(401);
    const forged = new UserAgent();
    await forged.jar.setCookie(`${HOST_SESSION_COOKIE}=forged.value`, s.url('/'));
    expect((await forged.get(s.url('/auth/sessions'))).status).toBe(401);
  });

  it('audits the sign-in with the person, the session handle, the address and the browser', async () => {
    const agent = await browser(FIREFOX, `audited-${person}`);
    const [handle] = handlesOn(await (await browser(FIREFOX)).get(s.url('/auth/sessions')));
    const [event] = auditEvents('signed-in').filter((e) =>
      (e['person'] as { key?: string } | undefined)?.key?.endsWith(`:audited-${person}`),
    );
    expect(event).toMatchObject({ userAgent: FIREFOX, person: { name: 'Mallory Example' } });
    expect(String(event?.['address'])).toMatch(/127\.0\.0\.1/);
    expect(event?.['session']).toMatch(/^[\w-]{22}$/);
    expect(event?.['session']).not.toBe(handle);
    expect(typeof event?.['requestId']).toBe('string');
    // Never the session's cookie.
    const lines = (s.host.logs ?? []).join('\n');
    for (const cookie of await agent.jar.getCookies(s.url('/'))) {
      expect(lines).not.toContain(cookie.value);
    }
  });

  it('audits a sign-out with the person and the handle of the session it ended', async () => {
    const agent = await browser(FIREFOX);
    const listed = await agent.get(s.url('/auth/sessions'));
    const done = await agent.post(s.url('/auth/sign_out'), { csrf_token: csrfOn(listed) });
    expect(done.status).toBeLessThan(500);
    const [event] = auditEvents('signed-out').slice(-1);
    expect((event?.['person'] as { key: string }).key.endsWith(`:${person}`)).toBe(true);
    expect(event?.['session']).toMatch(/^[\w-]{22}$/);
    expect(event?.['userAgent']).toBe(FIREFOX);
  });

  it('audits a failed sign-in with its error code, and a refused page with its status', async () => {
    const agent = new UserAgent({ userAgent: FIREFOX });
    const answer = new URL(await s.providerAnswer(agent));
    answer.searchParams.set('state', 'not-the-state');
    expect((await agent.get(answer.href)).status).toBe(400);
    const [failed] = auditEvents('sign-in-failed').slice(-1);
    expect(failed).toMatchObject({ code: 'AUTH_ATTEMPT_NOT_FOUND', userAgent: FIREFOX });

    expect((await new UserAgent().get(s.url('/token_details'))).status).toBe(401);
    const [denied] = auditEvents('access-denied').slice(-1);
    expect(denied).toMatchObject({ status: 401, path: '/token_details', person: null });
  });
});
