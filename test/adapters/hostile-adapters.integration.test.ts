import { describe, expect, it } from 'vitest';
import { HOST_KINDS, STAFF_GROUP, startHost } from '../support/adapter-hosts.js';
import {
  expectClaimsTrip,
  useHostileGraphHost,
  type HostileGraphHost,
} from '../support/hostile-host.js';
import { describeHostileCases } from '../support/hostile-suite.js';
import { UserAgent } from '../support/user-agent.js';

// The hostile-provider cases through a minimal host app on each adapter, in this process; the
// same cases run against the installed examples in test/examples/hostile-examples.
describe.each(HOST_KINDS)('the %s adapter against a hostile provider', (kind) => {
  describeHostileCases((options) => startHost(kind, options));
});

// Graph through each adapter's accessors, and the adapter's error translator for what they
// throw: a claims challenge must become the trip to the provider, and a signed-out call the
// 401 of the guard, not the host's 500.
describe.each(HOST_KINDS)('the %s adapter calling Microsoft Graph', (kind) => {
  let s: HostileGraphHost;
  useHostileGraphHost(
    (options) => startHost(kind, options),
    (setup) => (s = setup),
  );

  async function signedInAgent(): Promise<UserAgent> {
    const agent = new UserAgent();
    await s.signIn(agent);
    expect(await s.isSignedIn(agent)).toBe(true);
    return agent;
  }

  it("reads the person's Graph profile with the access token of the sign-in", async () => {
    const agent = await signedInAgent();
    const before = s.graph.requests.length;
    const profile = await agent.get(s.url('/profile'));
    expect(profile.status).toBe(200);
    expect(profile.body).toBe('Mallory Example');
    const seen = s.graph.requests.slice(before).map((r) => r.authorization);
    expect(seen).toHaveLength(1);
    expect(s.provider.issuedTokens.map((token) => `Bearer ${token}`)).toContain(seen[0]);
  });

  it.each([
    ['graphJson', '/profile'],
    ['callGraph', '/graph/me'],
  ])(
    'answers a claims challenge Graph sends %s with a trip to the provider for the claims, and back',
    async (_accessor, path) => {
      const agent = await signedInAgent();
      s.graph.mode.challenge = { acrs: 'c1' };
      const trip = await agent.get(s.url(path), { follow: false });
      expectClaimsTrip(s, trip);

      // The provider grants the claims; the new token satisfies Graph, on the same page.
      const back = await agent.follow(trip);
      expect(back.url).toBe(s.url(path));
      expect(back.status).toBe(200);
      expect(back.body).toContain('Mallory Example');
    },
  );

  it('gives the scopes of accessToken() to a signed-in request (the control for the next)', async () => {
    const agent = await signedInAgent();
    const answer = await agent.get(s.url('/access_token'));
    expect(answer.status).toBe(200);
    const facts = JSON.parse(answer.body) as { scopes: string[]; expiresAt: number };
    expect(facts.scopes).toContain('User.Read');
    expect(facts.expiresAt).toBeGreaterThan(Date.now());
  });

  it('answers accessToken() on a signed-out request with 401 NOT_SIGNED_IN, not a 500', async () => {
    const tokenRequests = s.provider.tokenRequests.length;
    const answer = await new UserAgent().get(s.url('/access_token'));
    expect(answer.status).toBe(401);
    // The library's page, as the guard's: a framework's own handler reads the error's status
    // too (Fastify's answers 401 in JSON), so the status alone would not show the translator.
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(answer.body).toContain('Error code: <code>NOT_SIGNED_IN</code>');
    expect(answer.body).toContain('href="/auth/sign_in');
    expect(s.provider.tokenRequests.length).toBe(tokenRequests);
  });
});

// Roles and groups through each adapter's guard: 401 signed out, 403 with what is missing when
// not allowed (never a redirect), and the groups overage resolved through GRAPH_URL.
describe.each(HOST_KINDS)('the %s adapter guarding by role and group', (kind) => {
  let s: HostileGraphHost;
  useHostileGraphHost(
    (options) => startHost(kind, options),
    (setup) => (s = setup),
  );

  async function signedInAs(claims: Record<string, unknown>): Promise<UserAgent> {
    s.provider.bends.idTokenClaims = (base) => ({ ...base, ...claims });
    const agent = new UserAgent();
    await s.signIn(agent);
    expect(await s.isSignedIn(agent)).toBe(true);
    return agent;
  }

  it('lets in a person with the app role', async () => {
    const agent = await signedInAs({ roles: ['Admin'] });
    const page = await agent.get(s.url('/admin'));
    expect(page.status).toBe(200);
    expect(page.body).toBe('admin page');
  });

  it('answers 403 naming who is signed in and the missing role, offering another account', async () => {
    const agent = await signedInAs({ roles: ['Reader'] });
    const page = await agent.get(s.url('/admin'), { follow: false });
    expect(page.status).toBe(403);
    expect(page.body).toContain('ACCESS_DENIED');
    expect(page.body).toContain('Mallory Example');
    expect(page.body).toContain('the app role Admin');
    expect(page.body).toContain('prompt=select_account');
    const json = await agent.get(s.url('/admin'), { headers: { accept: 'application/json' } });
    expect(json.status).toBe(403);
    expect(JSON.parse(json.body)).toMatchObject({
      error: 'ACCESS_DENIED',
      missing: 'the app role Admin',
    });
  });

  it('answers 401 to a signed-out visitor', async () => {
    const page = await new UserAgent().get(s.url('/admin'), { follow: false });
    expect(page.status).toBe(401);
  });

  it('lets in a member of the group named in the token, and refuses others by group name', async () => {
    const member = await signedInAs({ groups: [STAFF_GROUP] });
    expect((await member.get(s.url('/staff'))).status).toBe(200);
    const other = await signedInAs({ groups: ['0000dead-0000-4000-8000-000000000000'] });
    const page = await other.get(s.url('/staff'));
    expect(page.status).toBe(403);
    expect(page.body).toContain('membership of the group Staff');
  });

  it('resolves the groups overage through GRAPH_URL, never the endpoint the token names', async () => {
    const before = s.graph.requests.length;
    const agent = await signedInAs({
      _claim_names: { groups: 'src1' },
      _claim_sources: { src1: { endpoint: 'http://127.0.0.1:9/evil/getMemberObjects' } },
    });
    s.graph.mode.memberOf = [STAFF_GROUP];
    expect((await agent.get(s.url('/staff'))).status).toBe(200);
    // Once per sign-in: the second visit asks Graph nothing.
    expect((await agent.get(s.url('/staff'))).status).toBe(200);
    const asked = s.graph.requests.slice(before).filter((r) => r.path.includes('getMemberObjects'));
    expect(asked).toHaveLength(1);
  });

  it('follows Graph’s paging of the overage groups on GRAPH_URL, for a token without groups', async () => {
    const agent = await signedInAs({ _claim_names: { groups: 'src1' } });
    const before = s.graph.requests.length;
    s.graph.mode.memberOf = [
      '11110000-0000-4000-8000-000000000001',
      '11110000-0000-4000-8000-000000000002',
      STAFF_GROUP,
    ];
    s.graph.mode.memberPageSize = 1;
    expect((await agent.get(s.url('/staff'))).status).toBe(200);
    const asked = s.graph.requests.slice(before).filter((r) => r.path.includes('getMemberObjects'));
    expect(asked.map((r) => r.method)).toEqual(['POST', 'GET', 'GET']);
  });

  it('refuses a next page of groups on another origin, with no token sent there: 503', async () => {
    const agent = await signedInAs({ _claim_names: { groups: 'src1' } });
    s.graph.mode.memberOf = ['11110000-0000-4000-8000-000000000001', STAFF_GROUP];
    s.graph.mode.memberPageSize = 1;
    s.graph.mode.nextLinkOrigin = 'http://127.0.0.1:9';
    const page = await agent.get(s.url('/staff'));
    expect(page.status).toBe(503);
    expect(page.body).toContain('GROUPS_UNAVAILABLE');
  });

  it('answers 503 when Graph cannot list an overage person’s groups, and the role route still 200', async () => {
    const agent = await signedInAs({ roles: ['Admin'], _claim_names: { groups: 'src1' } });
    s.graph.mode.status = 503;
    const page = await agent.get(s.url('/staff'));
    expect(page.status).toBe(503);
    expect(page.body).toContain('GROUPS_UNAVAILABLE');
    expect((await agent.get(s.url('/admin'))).status).toBe(200);
  });
});
