/**
 * Calling Microsoft Graph as the signed-in person, against a hostile provider that issues and
 * refreshes real tokens and a Graph fake that checks them: the profile journey, silent refresh on
 * an injected clock, one refresh for many requests, the refresh token's failures, Conditional
 * Access claims challenges and incremental consent, each a round trip at most.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bendsFree } from '../support/hostile-provider-bends.js';
import { HostileProvider } from '../support/hostile-provider.js';
import {
  calmGraphApiMode,
  FAKE_PROFILE_PHOTO,
  startFakeGraphApi,
  type FakeGraphApi,
} from '../support/fake-graph-api.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import type { UserAgent } from '../support/user-agent.js';

const MINUTE = 60_000;

let provider: HostileProvider;
let graph: FakeGraphApi;
let t: TestApp;
let offset = 0;

beforeAll(async () => {
  provider = await HostileProvider.start({ clientId: 'api-app', clientSecret: 'api-secret' });
  graph = await startFakeGraphApi({ provider });
  t = await startTestApp(
    {
      AUTHORITY: provider.authority,
      CLIENT_ID: 'api-app',
      CLIENT_SECRET: 'api-secret',
      API_SCOPES: 'User.Read',
      GRAPH_URL: graph.url,
      PROVIDER_TIMEOUT: '2s',
      SESSION_IDLE_TIMEOUT: '2h',
    },
    { now: () => Date.now() + offset },
  );
});
afterAll(async () => {
  await t.close();
  await graph.close();
  await provider.close();
});
beforeEach(() => {
  offset = 0;
  provider.bends = bendsFree();
  provider.hits.refresh = 0;
  provider.consentedScopes.clear();
  provider.consentedScopes.add('User.Read');
  graph.mode = calmGraphApiMode();
});

async function signedInAgent(): Promise<UserAgent> {
  const agent = t.userAgent();
  const landed = await agent.get(`${t.baseUrl}/auth/sign_in`);
  expect(landed.status).toBe(200);
  return agent;
}

/** The access tokens Graph received since `from`. */
function tokensSeenByGraph(from = 0): string[] {
  return graph.requests.slice(from).map((r) => (r.authorization ?? '').replace(/^Bearer /, ''));
}

describe('the profile page', () => {
  it("shows the person's Graph profile, read with their access token, and their photo", async () => {
    const agent = await signedInAgent();
    const before = graph.requests.length;
    const page = await agent.get(`${t.baseUrl}/profile`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Mallory Example');
    expect(page.body).toContain('src="/profile/photo"');
    const seen = tokensSeenByGraph(before);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    // The token of the sign-in itself: no refresh was needed.
    expect(provider.issuedTokens).toContain(seen[0]);
    expect(provider.hits.refresh).toBe(0);

    const photo = await fetch(`${t.baseUrl}/profile/photo`, {
      headers: { cookie: await agent.jar.getCookieString(t.baseUrl) },
    });
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/png');
    expect(photo.headers.get('cache-control')).toBe('no-store');
    expect(Buffer.from(await photo.arrayBuffer())).toEqual(FAKE_PROFILE_PHOTO);
  });

  it('shows initials when Graph has no photo', async () => {
    graph.mode.photo = false;
    const agent = await signedInAgent();
    const page = await agent.get(`${t.baseUrl}/profile`);
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('src="/profile/photo"');
    expect(page.body).toContain('>ME</span>');
    expect((await agent.get(`${t.baseUrl}/profile/photo`)).status).toBe(404);
  });

  it('answers 401 when signed out, and calls no API', async () => {
    const before = graph.requests.length;
    const page = await t.userAgent().get(`${t.baseUrl}/profile`);
    expect(page.status).toBe(401);
    expect(page.body).toContain('NOT_SIGNED_IN');
    expect(graph.requests.length).toBe(before);
  });

  it('says Graph failed with a 502 page when Graph is down, and keeps the session', async () => {
    const agent = await signedInAgent();
    graph.mode.down = true;
    const page = await agent.get(`${t.baseUrl}/profile`);
    expect(page.status).toBe(502);
    expect(page.body).toContain('API_UNREACHABLE');
    expect((await agent.get(`${t.baseUrl}/token_details`)).status).toBe(200);
  });

  it("waits out Graph's throttling (429 with Retry-After) and then answers", async () => {
    const agent = await signedInAgent();
    graph.mode.throttle = 1;
    const page = await agent.get(`${t.baseUrl}/profile`);
    expect(page.status).toBe(200);
    expect(graph.mode.throttle).toBe(0);
  });
});

describe('access tokens', () => {
  it('are used from the cache, then refreshed silently once they near expiry', async () => {
    const agent = await signedInAgent();
    await agent.get(`${t.baseUrl}/profile`);
    const first = tokensSeenByGraph().at(-1);
    offset = 30 * MINUTE;
    expect((await agent.get(`${t.baseUrl}/profile`)).status).toBe(200);
    expect(provider.hits.refresh).toBe(0);
    expect(tokensSeenByGraph().at(-1)).toBe(first);

    // An hour after sign-in the token has expired by the app's clock: refreshed, not an error.
    offset = 61 * MINUTE;
    provider.bends.accessTokenClaims = (claims) => ({ ...claims, jti: 'refreshed' });
    const before = graph.requests.length;
    expect((await agent.get(`${t.baseUrl}/profile`)).status).toBe(200);
    expect(provider.hits.refresh).toBe(1);
    const renewed = tokensSeenByGraph(before);
    expect(renewed.length).toBeGreaterThanOrEqual(2);
    for (const token of renewed) {
      expect(
        JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()),
      ).toMatchObject({ jti: 'refreshed' });
    }
  });

  it('are refreshed once for ten requests that need a refresh at the same time', async () => {
    // Rotation: a second refresh with the same refresh token would be refused, failing a page.
    provider.bends.refreshRotation = 'rotate';
    provider.bends.refreshDelayMs = 300;
    const agent = await signedInAgent();
    offset = 58 * MINUTE;
    const pages = await Promise.all(
      Array.from({ length: 10 }, () => agent.get(`${t.baseUrl}/profile`)),
    );
    expect(pages.map((p) => p.status)).toEqual(Array(10).fill(200));
    expect(provider.hits.refresh).toBe(1);
  });

  it('that cannot be refreshed any more (invalid_grant, AADSTS70043) give a sign-in-again page', async () => {
    const agent = await signedInAgent();
    offset = 58 * MINUTE;
    provider.bends.refresh = 'invalid_grant';
    provider.bends.refreshAadsts = '70043';
    const page = await agent.get(`${t.baseUrl}/profile`);
    expect(page.status).toBe(401);
    expect(page.body).toContain('API_SIGN_IN_AGAIN');
    expect(page.body).toContain('AADSTS70043');
    expect(page.body).toContain('/auth/sign_in?post_sign_in_url=%2Fprofile');
    // Still signed in; the dead refresh token was dropped, so the next visit goes to sign in
    // again rather than trying it once more.
    expect((await agent.get(`${t.baseUrl}/token_details`)).status).toBe(200);
    provider.bends.refresh = 'ok';
    const next = await agent.get(`${t.baseUrl}/profile`, { follow: false });
    expect(next.status).toBe(302);
    expect(next.headers.get('location')).toContain(`${provider.origin}/`);
    expect(provider.hits.refresh).toBe(1);
  });

  it.each([
    ['answers 500', 'server-error'],
    ['does not answer', 'hang'],
  ] as const)(
    'give a 503 when the token endpoint %s, and the session is kept',
    async (_what, bend) => {
      const agent = await signedInAgent();
      offset = 61 * MINUTE;
      provider.bends.refresh = bend;
      const page = await agent.get(`${t.baseUrl}/profile`);
      expect(page.status).toBe(503);
      expect(page.body).toContain('API_TOKEN_UNAVAILABLE');
      expect((await agent.get(`${t.baseUrl}/token_details`)).status).toBe(200);
      provider.bends.refresh = 'ok';
      expect((await agent.get(`${t.baseUrl}/profile`)).status).toBe(200);
    },
  );

  it('that are due for refresh but not expired are used while the token endpoint fails', async () => {
    const agent = await signedInAgent();
    offset = 58 * MINUTE;
    provider.bends.refresh = 'server-error';
    expect((await agent.get(`${t.baseUrl}/profile`)).status).toBe(200);
    expect(provider.hits.refresh).toBeGreaterThan(0);
  });

  it('end the session when a refreshed ID token names another person (OIDC Core §12.2)', async () => {
    const agent = await signedInAgent();
    offset = 58 * MINUTE;
    provider.bends.refresh = 'other-sub';
    const page = await agent.get(`${t.baseUrl}/profile`);
    expect(page.status).toBe(401);
    expect(page.body).toContain('API_SIGN_IN_AGAIN');
    expect((await agent.get(`${t.baseUrl}/token_details`)).status).toBe(401);
  });

  it('end the session when a refreshed ID token is for another client', async () => {
    const agent = await signedInAgent();
    offset = 58 * MINUTE;
    provider.bends.refresh = 'other-aud';
    expect((await agent.get(`${t.baseUrl}/profile`)).status).toBe(401);
    expect((await agent.get(`${t.baseUrl}/token_details`)).status).toBe(401);
  });
});

describe('a Conditional Access claims challenge', () => {
  it('sends the person to the provider once with the claims, and back to the page', async () => {
    provider.bends.idTokenClaims = (claims) => ({
      ...claims,
      preferred_username: 'mallory@contoso.test',
    });
    const agent = await signedInAgent();
    graph.mode.challenge = { acrs: 'c1' };
    const trip = await agent.get(`${t.baseUrl}/profile`, { follow: false });
    expect(trip.status).toBe(302);
    const authorize = new URL(trip.headers.get('location') ?? '');
    const claims = JSON.parse(authorize.searchParams.get('claims') ?? '{}') as {
      access_token?: Record<string, unknown>;
    };
    expect(claims.access_token?.['acrs']).toEqual({ essential: true, value: 'c1' });
    expect(claims.access_token?.['xms_cc']).toEqual({ values: ['cp1'] });
    expect(authorize.searchParams.get('login_hint')).toBe('mallory@contoso.test');
    const back = await agent.follow(trip);
    expect(back.url).toBe(`${t.baseUrl}/profile`);
    expect(back.status).toBe(200);
    expect(back.body).toContain('Mallory Example');
  });

  it('that the trip did not satisfy ends in a 403 naming what was asked, not a loop', async () => {
    const agent = await signedInAgent();
    // The provider leaves the asked-for claim out of its tokens: Graph keeps challenging.
    provider.bends.accessTokenClaims = (claims) => ({ ...claims, acrs: [] });
    graph.mode.challenge = { acrs: 'c1' };
    const before = provider.authorizationRequests.length;
    const page = await agent.get(`${t.baseUrl}/profile`);
    expect(page.status).toBe(403);
    expect(page.body).toContain('API_CHALLENGE_UNMET');
    expect(page.body).toContain('acrs c1');
    expect(provider.authorizationRequests.length - before).toBe(1);
  });

  it('from two APIs that each want what the other token lacks makes two trips, then a 403', async () => {
    const agent = await signedInAgent();
    const before = provider.authorizationRequests.length;
    graph.mode.challenge = { acrs: 'c1' };
    expect((await agent.get(`${t.baseUrl}/profile`)).status).toBe(200);
    // The token of that trip carries c1 only; now the API wants c2, then c1 again.
    graph.mode.challenge = { acrs: 'c2' };
    expect((await agent.get(`${t.baseUrl}/profile`)).status).toBe(200);
    graph.mode.challenge = { acrs: 'c1' };
    const page = await agent.get(`${t.baseUrl}/profile`);
    expect(page.status).toBe(403);
    expect(page.body).toContain('API_CHALLENGE_UNMET');
    expect(provider.authorizationRequests.length - before).toBe(2);
  });

  it('is a 401 JSON answer for a client that asks for JSON', async () => {
    const agent = await signedInAgent();
    graph.mode.challenge = { acrs: 'c1' };
    const page = await agent.get(`${t.baseUrl}/profile`, {
      headers: { accept: 'application/json' },
    });
    expect(page.status).toBe(401);
    expect(JSON.parse(page.body)).toMatchObject({ error: 'API_INTERACTION_REQUIRED' });
  });
});

describe('incremental consent', () => {
  it('asks for Mail.Read only on the page that needs it, once, and comes back', async () => {
    const agent = await signedInAgent();
    const signInScopes = provider.authorizationRequests.at(-1)?.get('scope')?.split(' ');
    expect(signInScopes).toEqual(expect.arrayContaining(['openid', 'offline_access', 'User.Read']));
    expect(signInScopes).not.toContain('Mail.Read');

    const trip = await agent.get(`${t.baseUrl}/profile/mail`, { follow: false });
    expect(trip.status).toBe(302);
    const authorize = new URL(trip.headers.get('location') ?? '');
    expect(authorize.searchParams.get('scope')?.split(' ')).toContain('Mail.Read');
    const back = await agent.follow(trip);
    expect(back.url).toBe(`${t.baseUrl}/profile/mail`);
    expect(back.status).toBe(200);
    expect(back.body).toContain('Your latest mail');
    // Consented now: the next visit needs no trip.
    expect((await agent.get(`${t.baseUrl}/profile/mail`, { follow: false })).status).toBe(200);
  });
});

describe('tokens', () => {
  it('never reach a log line', async () => {
    const agent = await signedInAgent();
    offset = 58 * MINUTE;
    await agent.get(`${t.baseUrl}/profile`);
    const logs = t.logs.join('\n');
    const issued = provider.issuedTokens.filter((token) => token.length > 16);
    expect(issued.length).toBeGreaterThan(3);
    for (const token of issued) expect(logs).not.toContain(token);
  });
});

describe('two instances sharing a Redis store', () => {
  let redis: RedisServer;
  let apps: TestApp[];
  beforeAll(async () => {
    redis = await startRedisServer();
    const env = {
      AUTHORITY: provider.authority,
      CLIENT_ID: 'api-app',
      CLIENT_SECRET: 'api-secret',
      API_SCOPES: 'User.Read',
      GRAPH_URL: graph.url,
      SESSION_STORE: redis.url,
      SESSION_IDLE_TIMEOUT: '2h',
    };
    const now = { now: () => Date.now() + offset };
    apps = [await startTestApp(env, now), await startTestApp(env, now)];
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await redis.close();
  });

  it('refresh a session once between them, and both use what the one wrote', async () => {
    provider.bends.refreshRotation = 'rotate';
    provider.bends.refreshDelayMs = 300;
    const [a, b] = apps as [TestApp, TestApp];
    const agent = a.userAgent();
    expect((await agent.get(`${a.baseUrl}/auth/sign_in`)).status).toBe(200);
    const cookie = await agent.jar.getCookieString(a.baseUrl);
    offset = 58 * MINUTE;
    const answers = await Promise.all(
      [a, b, a, b, a, b, a, b].map((app) =>
        fetch(`${app.baseUrl}/profile`, { headers: { cookie, accept: 'text/html' } }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    expect(provider.hits.refresh).toBe(1);
  });
});

// Instances that do not share TOKEN_ENCRYPTION_KEY cannot open each other's token records:
// "sign in again" (a button), never a trip to the provider that the other would seal again.
describe('two instances with different token encryption keys', () => {
  let redis: RedisServer;
  let apps: TestApp[];
  beforeAll(async () => {
    redis = await startRedisServer();
    const env = {
      AUTHORITY: provider.authority,
      CLIENT_ID: 'api-app',
      CLIENT_SECRET: 'api-secret',
      API_SCOPES: 'User.Read',
      GRAPH_URL: graph.url,
      SESSION_STORE: redis.url,
    };
    apps = [
      await startTestApp({ ...env, TOKEN_ENCRYPTION_KEY: 'first-token-key-0123456789abcdef0123' }),
      await startTestApp({ ...env, TOKEN_ENCRYPTION_KEY: 'other-token-key-0123456789abcdef0123' }),
    ];
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await redis.close();
  });

  it('answers 401 API_SIGN_IN_AGAIN on the other, naming the setting in the log, not a redirect', async () => {
    const [a, b] = apps as [TestApp, TestApp];
    const agent = a.userAgent();
    expect((await agent.get(`${a.baseUrl}/auth/sign_in`)).status).toBe(200);
    expect((await agent.get(`${a.baseUrl}/profile`)).status).toBe(200);
    const cookie = await agent.jar.getCookieString(a.baseUrl);
    const authorizations = provider.authorizationRequests.length;
    const other = await fetch(`${b.baseUrl}/profile`, {
      headers: { cookie, accept: 'text/html' },
      redirect: 'manual',
    });
    expect(other.status).toBe(401);
    expect(await other.text()).toContain('API_SIGN_IN_AGAIN');
    expect(provider.authorizationRequests.length).toBe(authorizations);
    expect(b.logs.join('\n')).toContain('TOKEN_ENCRYPTION_KEY');
    // The first instance still reads them.
    expect((await agent.get(`${a.baseUrl}/profile`)).status).toBe(200);
  });
});
