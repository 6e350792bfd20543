import { afterEach, describe, expect, it } from 'vitest';
import {
  isSignedIn,
  signInThroughProvider,
  startHostileSetup,
  type HostileSetup,
} from '../support/hostile-app.js';

describe('discovery, keys and token endpoint of a hostile provider', () => {
  let s: HostileSetup | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('refuses a discovery document naming another issuer [rp-discovery-issuer-not-matching-config]', async () => {
    s = await startHostileSetup();
    s.provider.bends.discovery = (document) => ({
      ...document,
      issuer: 'https://evil.example/v2.0',
    });
    const agent = s.userAgent();
    const page = await agent.get(`${s.t.baseUrl}/auth/sign_in`);
    expect(page.status).toBe(502);
    expect(page.body).toContain('AUTH_DISCOVERY_INVALID');
    expect(await isSignedIn(s, agent)).toBe(false);
  });

  it('starts while discovery is unreachable, says so, and recovers', async () => {
    let now = Date.now();
    s = await startHostileSetup({ env: { PROVIDER_TIMEOUT: '1s' }, app: { now: () => now } });
    s.provider.bends.unreachable.discovery = true;
    const agent = s.userAgent();
    const down = await agent.get(`${s.t.baseUrl}/auth/sign_in`);
    expect(down.status).toBe(502);
    expect(down.body).toContain('AUTH_PROVIDER_UNREACHABLE');
    s.provider.bends.unreachable.discovery = false;
    // Within 5 seconds of the failure the provider is not asked again (issue 10, point 7).
    expect((await agent.get(`${s.t.baseUrl}/auth/sign_in`)).status).toBe(502);
    now += 5_001;
    const landed = await signInThroughProvider(s, agent);
    expect(landed.status).toBe(200);
    expect(await isSignedIn(s, agent)).toBe(true);
  });

  it('says the provider is unreachable when its keys are, and recovers', async () => {
    s = await startHostileSetup({ env: { PROVIDER_TIMEOUT: '1s' } });
    s.provider.bends.unreachable.jwks = true;
    const agent = s.userAgent();
    const down = await signInThroughProvider(s, agent);
    expect(down.status).toBe(502);
    expect(down.body).toContain('AUTH_PROVIDER_UNREACHABLE');
    expect(await isSignedIn(s, agent)).toBe(false);
    s.provider.bends.unreachable.jwks = false;
    const landed = await signInThroughProvider(s, agent);
    expect(landed.status).toBe(200);
    expect(await isSignedIn(s, agent)).toBe(true);
  });

  it('shows the error page when the token endpoint answers 500', async () => {
    s = await startHostileSetup();
    s.provider.bends.tokenEndpoint = () => ({ status: 500, body: { oops: true } });
    const agent = s.userAgent();
    const page = await signInThroughProvider(s, agent);
    expect(page.status).toBe(502);
    expect(page.body).toContain('AUTH_PROVIDER_UNREACHABLE');
    expect(await isSignedIn(s, agent)).toBe(false);
  });

  it('gives up on a token endpoint that hangs after PROVIDER_TIMEOUT', async () => {
    s = await startHostileSetup({ env: { PROVIDER_TIMEOUT: '1s' } });
    s.provider.bends.tokenEndpoint = () => 'hang';
    const agent = s.userAgent();
    const started = Date.now();
    const page = await signInThroughProvider(s, agent);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(page.status).toBe(502);
    expect(page.body).toContain('AUTH_PROVIDER_UNREACHABLE');
    expect(await isSignedIn(s, agent)).toBe(false);
  });
});
