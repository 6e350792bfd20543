/**
 * "Where you're signed in" (issue 12) through the app, with the development identity provider
 * and sessions in a SQLite file: each browser is a client with its own cookie jar.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { UserAgent } from '../support/user-agent.js';
import {
  auditLines,
  buttonLabels,
  CHROME_ON_WINDOWS,
  FIREFOX_ON_LINUX,
  formsTo,
  isSignedIn,
  SAFARI_ON_IPHONE,
  signedInBrowser,
  statusMessage,
} from './browser-agent.js';

describe("the sessions page (issue 12: where you're signed in)", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ SESSION_STORE: 'sqlite:./sessions.db' });
  });
  afterAll(async () => t.close());

  const url = (path: string) => `${t.baseUrl}${path}`;

  it("lists both of Alice's browsers, newest first, and marks the one asking", async () => {
    const firefox = await signedInBrowser(t, FIREFOX_ON_LINUX);
    const chrome = await signedInBrowser(t, CHROME_ON_WINDOWS);

    const page = await chrome.get(url('/sessions'));
    expect(page.status).toBe(200);
    const titles = [...page.body.matchAll(/<h2 class="session-title">([\s\S]*?)<\/h2>/g)].map((m) =>
      (m[1] ?? '').replace(/<[^>]+>/g, ''),
    );
    // Alice may have sessions from other tests of this file; these two are the newest.
    expect(titles.slice(0, 2)).toEqual([
      'Chrome 131 on Windows 10 This browser',
      'Firefox 133 on Linux',
    ]);
    expect(page.body.match(/class="badge">This browser</g)).toHaveLength(1);
    expect(page.body).toContain('Address at sign-in');
    expect(page.body).toMatch(
      /<time datetime="\d{4}-\d\d-\d\dT[^"]+">\d{1,2} \w{3} \d{4}, \d\d:\d\d UTC<\/time>/,
    );
    expect(page.body).toContain(
      '&quot;Last active&quot; is approximate, to within about 6 minutes',
    );
    // The buttons say which session each one ends.
    const labels = buttonLabels(page);
    expect(labels[0]).toBe('Sign out this browser (Chrome 131 on Windows 10)');
    expect(labels[1]).toMatch(
      /^Sign out Firefox 133 on Linux, signed in \d{1,2} \w{3} \d{4}, \d\d:\d\d UTC$/,
    );
    // This browser signs out through the sign-out route; the other by its handle.
    expect(formsTo(page, '/auth/sign_out').length).toBeGreaterThanOrEqual(2);
    const ends = formsTo(page, '/sessions/end');
    expect(ends.length).toBeGreaterThanOrEqual(1);
    expect(ends[0]?.['session']).toMatch(/^[\w-]{22}$/);
    expect(page.body).toContain('Sign out everywhere else');
    // The navigation links here.
    expect(page.body).toContain('<a href="/sessions">Sessions</a>');
    expect(await isSignedIn(t, firefox)).toBe(true);
  });

  it('ends the other browser from the first: its next request is a 401', async () => {
    const firefox = await signedInBrowser(t, FIREFOX_ON_LINUX);
    const safari = await signedInBrowser(t, SAFARI_ON_IPHONE);
    const page = await firefox.get(url('/sessions'));
    // Newest first: Safari's session, then this one.
    expect(buttonLabels(page).slice(0, 2)).toEqual([
      expect.stringMatching(/^Sign out Safari 17 on iOS 17\.5, signed in /),
      'Sign out this browser (Firefox 133 on Linux)',
    ]);
    const form = formsTo(page, '/sessions/end')[0] ?? {};

    const answer = await firefox.post(url('/sessions/end'), form, { follow: false });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/sessions?notice=ended_one');
    const after = await firefox.follow(answer);
    expect(statusMessage(after)).toContain('That session is signed out');
    expect(after.body).not.toContain(form['session']);

    expect((await safari.get(url('/token_details'))).status).toBe(401);
    expect(await isSignedIn(t, firefox)).toBe(true);
    const ended = auditLines(t).filter(
      (event) => event['type'] === 'sessions-ended' && event['endedBy'] === 'person',
    );
    expect(ended.at(-1)).toMatchObject({ count: 1, sessions: [form['session']] });
  });

  it('signs out everywhere else, and keeps this browser signed in', async () => {
    const bob = await signedInBrowser(t, FIREFOX_ON_LINUX, 'bob@contoso.test');
    const others = [
      await signedInBrowser(t, CHROME_ON_WINDOWS, 'bob@contoso.test'),
      await signedInBrowser(t, SAFARI_ON_IPHONE, 'bob@contoso.test'),
    ];
    const page = await bob.get(url('/sessions'));
    const form = formsTo(page, '/sessions/end_others')[0] ?? {};

    const after = await bob.post(url('/sessions/end_others'), form);
    expect(after.url).toBe(url('/sessions?notice=ended_others'));
    expect(statusMessage(after)).toContain('Every other session is signed out');
    expect(after.body.match(/<li class="session"/g)).toHaveLength(1);
    expect(after.body).toContain('class="badge">This browser<');
    expect(after.body).not.toContain('Sign out everywhere else');
    for (const other of others) expect(await isSignedIn(t, other)).toBe(false);
    expect(await isSignedIn(t, bob)).toBe(true);
  });

  it("does nothing when Bob posts the handle of Alice's session, and audits the attempt", async () => {
    const alice = await signedInBrowser(t, FIREFOX_ON_LINUX);
    const aliceElsewhere = await signedInBrowser(t, CHROME_ON_WINDOWS);
    const aliceHandle = formsTo(await alice.get(url('/sessions')), '/sessions/end')[0]?.['session'];
    expect(aliceHandle).toMatch(/^[\w-]{22}$/);
    const bob = await signedInBrowser(t, SAFARI_ON_IPHONE, 'bob@contoso.test');
    const bobsForm = formsTo(await bob.get(url('/sessions')), '/sessions/end_others')[0] ?? {};

    const after = await bob.post(url('/sessions/end'), {
      session: aliceHandle ?? '',
      csrf_token: bobsForm['csrf_token'] ?? '',
    });
    expect(after.url).toBe(url('/sessions?notice=not_found'));
    expect(statusMessage(after)).toContain('not found among yours');
    expect(await isSignedIn(t, aliceElsewhere)).toBe(true);
    expect(await isSignedIn(t, alice)).toBe(true);
    expect(await isSignedIn(t, bob)).toBe(true);

    const refused = auditLines(t).filter((event) => event['type'] === 'session-end-refused');
    expect(refused.at(-1)).toMatchObject({
      session: aliceHandle,
      person: { name: 'Bob Example', username: 'bob@contoso.test' },
    });
    // The same event is in the admin page's buffer, which Alice (Admin) reads.
    const admin = await alice.get(url('/admin'));
    expect(admin.status).toBe(200);
    const row = eventRows(admin.body, 'session-end-refused')[0] ?? '';
    expect(row).toContain('Session end refused');
    expect(row).toContain('Bob Example');
    expect(row).toContain(aliceHandle);
  });

  it('refuses a missing or wrong CSRF token with a 403, and ends nothing', async () => {
    const alice = await signedInBrowser(t, FIREFOX_ON_LINUX);
    const other = await signedInBrowser(t, CHROME_ON_WINDOWS);
    const page = await alice.get(url('/sessions'));
    const handle = formsTo(page, '/sessions/end')[0]?.['session'] ?? '';
    const attempts: [string, Record<string, string>][] = [
      ['/sessions/end', { session: handle }],
      ['/sessions/end', { session: handle, csrf_token: 'not-the-token' }],
      ['/sessions/end_others', {}],
      ['/sessions/end_others', { csrf_token: 'not-the-token' }],
    ];
    for (const [path, form] of attempts) {
      const answer = await alice.post(url(path), form, { follow: false });
      expect(answer.status, `${path} ${JSON.stringify(form)}`).toBe(403);
      expect(answer.body).toContain('CSRF_TOKEN_INVALID');
    }
    expect(await isSignedIn(t, other)).toBe(true);
    expect(await isSignedIn(t, alice)).toBe(true);
  });

  it('answers 401 when signed out, as a page that offers sign-in', async () => {
    const page = await new UserAgent().get(url('/sessions'));
    expect(page.status).toBe(401);
    expect(page.body).toContain('NOT_SIGNED_IN');
    expect(page.body).toContain('/auth/sign_in?post_sign_in_url=%2Fsessions');
  });
});

/** The rows of the admin page's events table of one event type. */
function eventRows(html: string, type: string): string[] {
  return [...html.matchAll(/<tr data-event="([^"]+)">([\s\S]*?)<\/tr>/g)]
    .filter((m) => m[1] === type)
    .map((m) => m[2] ?? '');
}
