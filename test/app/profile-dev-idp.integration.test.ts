/**
 * The whole API journey with no set-up at all: the development identity provider issues the
 * tokens and serves a Graph-shaped development fake, so a newcomer sees Profile work at once;
 * and wherever the session is kept, its tokens are not there in clear text.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import {
  signIn,
  startAppWithProvider,
  startTestApp,
  type AppWithProvider,
  type TestApp,
} from '../support/test-app.js';

const MINUTE = 60_000;

describe('with no tenant configured', () => {
  let t: TestApp;
  let offset = 0;
  beforeAll(async () => {
    t = await startTestApp({ SESSION_IDLE_TIMEOUT: '2h' }, { now: () => Date.now() + offset });
  });
  afterAll(async () => t.close());

  it("shows Alice's Graph profile and photo, and an hour later still does, by a silent refresh", async () => {
    const agent = t.userAgent();
    await signIn(t, agent);
    const page = await agent.get(`${t.baseUrl}/profile`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Alice Example');
    expect(page.body).toContain('Product Manager');
    expect(page.body).toContain('Building 4');
    expect(page.body).toContain('src="/profile/photo"');
    const photo = await fetch(`${t.baseUrl}/profile/photo`, {
      headers: { cookie: await agent.jar.getCookieString(t.baseUrl) },
    });
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toMatch(/^image\/(png|jpeg)$/);
    expect((await photo.arrayBuffer()).byteLength).toBeGreaterThan(50);

    offset = 61 * MINUTE;
    const later = await agent.get(`${t.baseUrl}/profile`);
    expect(later.status).toBe(200);
    expect(later.body).toContain('Alice Example');
    expect(t.logs.join('\n')).not.toMatch(/API_|request failed/);
  });

  it('shows initials for Bob, who has no photo', async () => {
    offset = 0;
    const agent = t.userAgent();
    await signIn(t, agent, { username: 'bob@contoso.test' });
    const page = await agent.get(`${t.baseUrl}/profile`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Bob Example');
    expect(page.body).toContain('>BE</span>');
    expect(page.body).not.toContain('src="/profile/photo"');
  });

  it('asks Alice to consent to Mail.Read on the mail page only, then shows her mail', async () => {
    offset = 0;
    const agent = t.userAgent();
    await signIn(t, agent);
    const consent = await agent.get(`${t.baseUrl}/profile/mail`);
    expect(consent.url.startsWith(t.idp.issuer.replace(/\/[^/]+\/v2\.0$/, ''))).toBe(true);
    expect(consent.body).toContain('Mail.Read');
    const back = await agent.submitForm(consent);
    expect(back.url).toBe(`${t.baseUrl}/profile/mail`);
    expect(back.status).toBe(200);
    expect(back.body).toContain('Your latest mail');
    expect(back.body).toContain('<li>');
  });
});

/** Every long base64url-shaped string of a text: where a token in clear text would show. */
function tokenLikeStrings(text: string): string[] {
  return text.match(/[A-Za-z0-9_-]{40,}/g) ?? [];
}

describe.each(['sqlite', 'redis'] as const)('in the %s store', (kind) => {
  let t: TestApp;
  let redis: RedisServer | undefined;
  beforeAll(async () => {
    redis = kind === 'redis' ? await startRedisServer() : undefined;
    t = await startTestApp({
      SESSION_STORE: kind === 'redis' ? (redis?.url ?? '') : 'sqlite:./sessions.db',
    });
  });
  afterAll(async () => {
    await t.close();
    await redis?.close();
  });

  it('the tokens are sealed: what the store holds opens to nothing a Graph call accepts', async () => {
    const agent = t.userAgent();
    await signIn(t, agent);
    expect((await agent.get(`${t.baseUrl}/profile`)).status).toBe(200);
    const dump = kind === 'redis' ? await redisDump(redis?.url ?? '') : sqliteDump(t);
    expect(dump).toContain('tokens');
    // Whatever long token-shaped string the store holds, Graph refuses it as a bearer token:
    // nothing usable is in there in clear text.
    const candidates = [...new Set(tokenLikeStrings(dump))];
    expect(candidates.length).toBeGreaterThan(0);
    for (const candidate of candidates) {
      const answer = await fetch(`${t.config.api.graphUrl}/v1.0/me`, {
        headers: { authorization: `Bearer ${candidate}` },
      });
      expect(answer.status).toBe(401);
    }
  });
});

function sqliteDump(t: TestApp): string {
  const store = t.config.session.store;
  if (typeof store !== 'string') throw new Error('The SQLite test runs with a store spec');
  const dir = store.replace(/^sqlite:/, '').replace(/\/[^/]+$/, '');
  return readdirSync(dir)
    .filter((name) => name.startsWith('sessions.db'))
    .map((name) => readFileSync(join(dir, name)).toString('latin1'))
    .join('\n');
}

async function redisDump(url: string): Promise<string> {
  const client = createClient({ url });
  await client.connect();
  try {
    const parts: string[] = [];
    for (const key of await client.keys('*')) {
      const type = await client.type(key);
      if (type === 'hash') parts.push(key, JSON.stringify(await client.hGetAll(key)));
      else if (type === 'string') parts.push(key, (await client.get(key)) ?? '');
      else parts.push(key);
    }
    return parts.join('\n');
  } finally {
    await client.close();
  }
}

// Another provider than Entra asks for no API scopes and has no Graph by default: the app then
// offers no profile, rather than a link to a configuration error.
describe('with a provider that is not Entra and no API scopes', () => {
  let external: AppWithProvider;
  beforeAll(async () => {
    external = await startAppWithProvider(
      { clientSecret: 'external-secret-0123456789abcdef' },
      { CLIENT_SECRET: 'external-secret-0123456789abcdef' },
    );
  });
  afterAll(async () => external.close());

  it('links no profile, and /profile is not found', async () => {
    const { t } = external;
    const agent = t.userAgent();
    const home = await signIn(t, agent);
    expect(home.body).toContain("You're signed in");
    expect(home.body).not.toContain('href="/profile"');
    const profile = await agent.get(`${t.baseUrl}/profile`);
    expect(profile.status).toBe(404);
    expect((await agent.get(`${t.baseUrl}/token_details`)).status).toBe(200);
  });
});
