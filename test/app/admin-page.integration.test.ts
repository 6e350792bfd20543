/**
 * The admin page (issue 12) through the app, with the development identity provider (Alice has
 * the Admin app role, Bob none) and sessions in a SQLite file, read back to see what is left.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { UserAgent, type Page } from '../support/user-agent.js';
import {
  auditLines,
  CHROME_ON_WINDOWS,
  FIREFOX_ON_LINUX,
  formsTo,
  isSignedIn,
  SAFARI_ON_IPHONE,
  signedInBrowser,
  statusMessage,
  type BrowserAgent,
} from './browser-agent.js';

const BOB_KEY_PATTERN = /^entra:[^:]+:b0b00000-0000-4000-8000-000000000002$/;

describe('the admin page (issue 12)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ SESSION_STORE: 'sqlite:./sessions.db' });
  });
  afterAll(async () => t.close());

  const url = (path: string) => `${t.baseUrl}${path}`;

  /** What the SQLite file holds for one person: their sessions, and how many have API tokens. */
  function storedFor(userKey: string): { sessions: number; withTokens: number } {
    const store = t.config.session.store;
    if (typeof store !== 'string') throw new Error('This test runs with a store spec');
    const db = new Database(store.replace(/^sqlite:/, ''), { readonly: true });
    try {
      return db
        .prepare(
          'SELECT count(*) AS sessions, count(tokens) AS withTokens FROM sessions WHERE user_key = ?',
        )
        .get(userKey) as { sessions: number; withTokens: number };
    } finally {
      db.close();
    }
  }

  /** The admin page's row of one person, as text. */
  function personRow(page: Page, name: string): string | undefined {
    return [...page.body.matchAll(/<tr>(<th scope="row"[\s\S]*?)<\/tr>/g)]
      .map((m) => m[1] ?? '')
      .find((row) => row.includes(`>${name}</th>`));
  }

  /** Alice's "End all sessions" form for `name`: its hidden fields. */
  function endFormFor(page: Page, name: string): Record<string, string> {
    const row = personRow(page, name) ?? '';
    const key = /name="person" value="([^"]+)"/.exec(row)?.[1];
    const form = formsTo(page, '/admin/end_sessions').find((f) => f['person'] === key);
    if (form === undefined) throw new Error(`No "End all sessions" form for ${name}`);
    return form;
  }

  async function bobInTwoBrowsers(): Promise<BrowserAgent[]> {
    return [
      await signedInBrowser(t, FIREFOX_ON_LINUX, 'bob@contoso.test'),
      await signedInBrowser(t, SAFARI_ON_IPHONE, 'bob@contoso.test'),
    ];
  }

  it('shows Alice (Admin) the people signed in, with their session counts', async () => {
    const bobs = await bobInTwoBrowsers();
    const alice = await signedInBrowser(t, CHROME_ON_WINDOWS);
    const page = await alice.get(url('/admin'));
    expect(page.status).toBe(200);
    expect(page.body).toContain('<a href="/admin">Admin</a>');
    const row = personRow(page, 'Bob Example') ?? '';
    expect(row).toContain('<td data-label="Username">bob@contoso.test</td>');
    expect(row).toMatch(/<td data-label="Sessions">\d+<\/td>/);
    const count = Number(/<td data-label="Sessions">(\d+)<\/td>/.exec(row)?.[1]);
    expect(count).toBeGreaterThanOrEqual(bobs.length);
    expect(row).toMatch(/<time datetime="[^"]+">\d{1,2} \w{3} \d{4}, \d\d:\d\d UTC<\/time>/);
    expect(row).toContain('aria-label="End all sessions of Bob Example"');
    expect(personRow(page, 'Alice Example')).toBeDefined();
  });

  it("ends Bob's sessions after a confirmation: he is signed out at once, his tokens gone", async () => {
    const bobs = await bobInTwoBrowsers();
    const alice = await signedInBrowser(t, CHROME_ON_WINDOWS);
    const form = endFormFor(await alice.get(url('/admin')), 'Bob Example');
    const bobKey = form['person'] ?? '';
    expect(bobKey).toMatch(BOB_KEY_PATTERN);
    const before = storedFor(bobKey);
    expect(before.sessions).toBeGreaterThanOrEqual(2);
    expect(before.withTokens).toBe(before.sessions);

    const confirmation = await alice.post(url('/admin/end_sessions'), form);
    expect(confirmation.status).toBe(200);
    expect(confirmation.body).toContain(
      `<h1>End all ${before.sessions} sessions of Bob Example?</h1>`,
    );
    // Asking is not doing.
    for (const bob of bobs) expect(await isSignedIn(t, bob)).toBe(true);
    const confirm = formsTo(confirmation, '/admin/end_sessions')[0] ?? {};
    expect(confirm).toMatchObject({ person: bobKey, confirm: 'yes' });

    const answer = await alice.post(url('/admin/end_sessions'), confirm, { follow: false });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe(`/admin?ended=${before.sessions}`);
    const after = await alice.follow(answer);
    expect(statusMessage(after)).toContain(`Ended ${before.sessions} sessions`);
    expect(personRow(after, 'Bob Example')).toBeUndefined();

    for (const bob of bobs) expect((await bob.get(url('/token_details'))).status).toBe(401);
    expect(storedFor(bobKey)).toEqual({ sessions: 0, withTokens: 0 });
    expect(await isSignedIn(t, alice)).toBe(true);
    expect(
      auditLines(t)
        .filter((e) => e['type'] === 'sessions-ended')
        .at(-1),
    ).toMatchObject({
      endedBy: 'admin',
      count: before.sessions,
      person: { name: 'Bob Example' },
      actor: { name: 'Alice Example' },
    });
  });

  it('ends nothing without a valid CSRF token, or from another site', async () => {
    const bobs = await bobInTwoBrowsers();
    const alice = await signedInBrowser(t, CHROME_ON_WINDOWS);
    const form = endFormFor(await alice.get(url('/admin')), 'Bob Example');
    const confirmed = { ...form, confirm: 'yes' };
    const missing = await alice.post(
      url('/admin/end_sessions'),
      { person: form['person'] ?? '', confirm: 'yes' },
      { follow: false },
    );
    expect(missing.status).toBe(403);
    expect(missing.body).toContain('CSRF_TOKEN_INVALID');
    const wrong = await alice.post(
      url('/admin/end_sessions'),
      { ...confirmed, csrf_token: 'forged' },
      { follow: false },
    );
    expect(wrong.status).toBe(403);
    expect(wrong.body).toContain('CSRF_TOKEN_INVALID');
    const crossSite = await alice.request(
      'POST',
      url('/admin/end_sessions'),
      new URLSearchParams(confirmed),
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    );
    expect(crossSite.status).toBe(403);
    expect(crossSite.body).toContain('REQUEST_CROSS_SITE');
    for (const bob of bobs) expect(await isSignedIn(t, bob)).toBe(true);
  });

  it('answers Bob, who lacks the Admin role, 403 naming it: as a page, and as JSON', async () => {
    const [bob] = await bobInTwoBrowsers();
    if (bob === undefined) throw new Error('Bob did not sign in');
    const home = await bob.get(url('/'));
    expect(home.body).toContain('<a href="/sessions">Sessions</a>');
    expect(home.body).not.toContain('href="/admin"');

    const page = await bob.get(url('/admin'));
    expect(page.status).toBe(403);
    expect(page.body).toContain('ACCESS_DENIED');
    expect(page.body).toContain('Signed in as <strong>Bob Example</strong> (bob@contoso.test)');
    expect(page.body).toContain('<strong>the app role Admin</strong>');
    expect(page.body).toContain('Sign in as someone else');
    expect(page.body).toContain('prompt=select_account');

    const json = await bob.get(url('/admin'), { headers: { accept: 'application/json' } });
    expect(json.status).toBe(403);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(json.body)).toMatchObject({ error: 'ACCESS_DENIED' });

    // Nor can he end anyone's sessions with a token of his own.
    const alice = await signedInBrowser(t, CHROME_ON_WINDOWS);
    const aliceKey = endFormFor(await alice.get(url('/admin')), 'Alice Example')['person'] ?? '';
    const bobsToken = formsTo(home, '/auth/sign_out')[0]?.['csrf_token'] ?? '';
    const ending = await bob.post(
      url('/admin/end_sessions'),
      { person: aliceKey, csrf_token: bobsToken, confirm: 'yes' },
      { follow: false },
    );
    expect(ending.status).toBe(403);
    expect(await isSignedIn(t, alice)).toBe(true);
    expect(
      auditLines(t)
        .filter((e) => e['type'] === 'access-denied')
        .at(-1),
    ).toMatchObject({
      status: 403,
      path: '/admin/end_sessions',
      missing: 'the app role Admin',
      person: { name: 'Bob Example' },
    });
  });

  it('answers 401 to someone signed out, for the page and for the form', async () => {
    const visitor = new UserAgent();
    const page = await visitor.get(url('/admin'));
    expect(page.status).toBe(401);
    expect(page.body).toContain('NOT_SIGNED_IN');
    const post = await visitor.post(
      url('/admin/end_sessions'),
      { person: 'entra:x:y', confirm: 'yes' },
      { follow: false },
    );
    expect(post.status).toBe(401);
  });

  it('shows the audit events, newest first, with no cookie, token or code in them or the logs', async () => {
    const [bob] = await bobInTwoBrowsers();
    const alice = await signedInBrowser(t, CHROME_ON_WINDOWS);
    const form = endFormFor(await alice.get(url('/admin')), 'Bob Example');
    const confirm =
      formsTo(await alice.post(url('/admin/end_sessions'), form), '/admin/end_sessions')[0] ?? {};
    const page = await alice.post(url('/admin/end_sessions'), confirm);
    expect(page.url).toMatch(/\/admin\?ended=\d+$/);

    const rows = [...page.body.matchAll(/<tr data-event="([^"]+)">([\s\S]*?)<\/tr>/g)];
    expect(rows[0]?.[1]).toBe('sessions-ended');
    expect(rows[0]?.[2]).toContain('by an administrator (Alice Example, alice@contoso.test)');
    expect(rows[0]?.[2]).toContain('Bob Example');
    const signedIn = rows.find((row) => row[1] === 'signed-in')?.[2] ?? '';
    expect(signedIn).toContain('Signed in');
    expect(signedIn).toContain('Alice Example');
    expect(signedIn).toMatch(/<code class="handle">[\w-]{22}<\/code>/);
    expect(signedIn).toMatch(/<td data-label="Request id"><code>[0-9a-f-]{36}<\/code><\/td>/);
    expect(signedIn).toContain('<td data-label="Address">127.0.0.1</td>');

    // The latest sign-in is Alice's, in Chrome.
    const logged =
      auditLines(t)
        .filter((e) => e['type'] === 'signed-in')
        .at(-1) ?? {};
    const person = logged['person'] as Record<string, unknown>;
    expect(person['oid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(person['tid']).toEqual(expect.any(String));
    expect(logged['session']).toMatch(/^[\w-]{22}$/);
    expect(logged['address']).toBe('127.0.0.1');
    expect(logged['userAgent']).toBe(CHROME_ON_WINDOWS);
    expect(logged['requestId']).toMatch(/^[0-9a-f-]{36}$/);

    // What must never show: the session cookies of every browser here (whole, or the id in
    // them), the authorization codes they carried back, and any JWT (ID, access or logout token).
    const secrets = new Set<string>();
    for (const agent of [alice, bob]) {
      if (agent === undefined) continue;
      for (const cookie of await agent.jar.getCookies(t.baseUrl)) {
        secrets.add(cookie.value);
        secrets.add(decodeURIComponent(cookie.value).split('.')[0] ?? '');
      }
      for (const visited of agent.visited) {
        const code = new URL(visited).searchParams.get('code');
        if (code !== null) secrets.add(code);
      }
    }
    const name = t.config.session.cookieName;
    expect([...(await alice.jar.getCookies(t.baseUrl))].some((cookie) => cookie.key === name)).toBe(
      true,
    );
    const logs = t.logs.join('\n');
    const checked = [...secrets].filter((s) => s.length >= 16);
    // Two browsers' cookies (whole and their ids) and their sign-ins' codes, at least.
    expect(checked.length).toBeGreaterThanOrEqual(6);
    for (const secret of checked) {
      expect(page.body).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
    const jwt = /eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]+/;
    expect(page.body).not.toMatch(jwt);
    expect(logs).not.toMatch(jwt);
  });

  it('signs out an administrator who ends their own sessions, and says so', async () => {
    const alice = await signedInBrowser(t, CHROME_ON_WINDOWS);
    const form = endFormFor(await alice.get(url('/admin')), 'Alice Example');
    const confirmation = await alice.post(url('/admin/end_sessions'), form);
    expect(confirmation.body).toContain('you will be signed out too');
    const confirm = formsTo(confirmation, '/admin/end_sessions')[0] ?? {};

    const answer = await alice.post(url('/admin/end_sessions'), confirm, { follow: false });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/auth/post_sign_out');
    expect(answer.headers.get('set-cookie')).toMatch(
      new RegExp(`^${t.config.session.cookieName}=;`),
    );
    const after = await alice.follow(answer);
    expect(after.status).toBe(200);
    expect(after.body).toContain("You're signed out.");
    expect((await alice.get(url('/admin'))).status).toBe(401);
  });
});
