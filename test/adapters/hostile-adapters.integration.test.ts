import { describe, expect, it } from 'vitest';
import { HOST_KINDS, startHost } from '../support/adapter-hosts.js';
import { useHostileGraphHost, type HostileGraphHost } from '../support/hostile-host.js';
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
      expect(trip.status).toBe(302);
      const authorize = new URL(trip.headers.get('location') ?? '');
      // The authorization endpoint of the provider's discovery document.
      expect(`${authorize.origin}${authorize.pathname}`).toBe(
        `${s.provider.publicOrigin}/${s.provider.tenant}/oauth2/v2.0/authorize`,
      );
      const claims = JSON.parse(authorize.searchParams.get('claims') ?? '{}') as {
        access_token?: Record<string, unknown>;
      };
      expect(claims.access_token?.['acrs']).toEqual({ essential: true, value: 'c1' });
      expect(claims.access_token?.['xms_cc']).toEqual({ values: ['cp1'] });

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
