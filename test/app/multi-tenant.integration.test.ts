import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PERSONAL_ACCOUNT_TENANT } from '../../src/core/entra/entra-tenant.js';
import {
  isSignedIn,
  signInThroughProvider,
  startHostileSetup,
  type HostileSetup,
} from '../support/hostile-app.js';
import { bendsFree } from '../support/hostile-provider-bends.js';

const CONTOSO = '11111111-1111-4111-8111-111111111111';
const FABRIKAM = '22222222-2222-4222-8222-222222222222';
const OUTSIDER = '33333333-3333-4333-8333-333333333333';

const clouds = [
  'https://login.microsoftonline.com',
  'https://login.microsoftonline.us',
  'https://login.partner.microsoftonline.cn',
];

// Entra's `organizations` authority, emulated by the hostile provider at each cloud's host (the
// app reaches the host through fakeMicrosoftHostsFetch): its discovery document names the
// templated issuer `https://{host}/{tenantid}/v2.0`.
for (const cloud of clouds) {
  describe(`a multi-tenant authority at ${cloud}`, () => {
    let s: HostileSetup;
    beforeAll(async () => {
      s = await startHostileSetup({
        provider: {
          publicOrigin: cloud,
          tenant: 'organizations',
          issuer: `${cloud}/{tenantid}/v2.0`,
        },
        env: { ALLOWED_TENANTS: `${CONTOSO}, ${FABRIKAM}` },
      });
    });
    afterAll(async () => s.close());
    beforeEach(() => {
      s.provider.bends = bendsFree();
    });

    function tokenOf(tid: string, iss = `${cloud}/${tid}/v2.0`) {
      s.provider.bends.idTokenClaims = (claims) => ({ ...claims, iss, tid, oid: `oid-in-${tid}` });
    }

    it('signs in a person of an allowed tenant, keyed by tid and oid', async () => {
      tokenOf(FABRIKAM);
      const agent = s.userAgent();
      const page = await signInThroughProvider(s, agent);
      expect(page.status).toBe(200);
      const claims = await agent.get(`${s.t.baseUrl}/token_details`);
      expect(claims.status).toBe(200);
      expect(claims.body).toContain(`oid-in-${FABRIKAM}`);
    });

    it('refuses a person of a tenant not in ALLOWED_TENANTS', async () => {
      tokenOf(OUTSIDER);
      const agent = s.userAgent();
      const page = await signInThroughProvider(s, agent);
      expect(page.status).toBe(403);
      expect(page.body).toContain('AUTH_TENANT_NOT_ALLOWED');
      expect(await isSignedIn(s, agent)).toBe(false);
    });

    it("refuses a token whose issuer is another tenant's than its tid", async () => {
      tokenOf(CONTOSO, `${cloud}/${OUTSIDER}/v2.0`);
      const agent = s.userAgent();
      const page = await signInThroughProvider(s, agent);
      expect(page.status).toBe(400);
      expect(page.body).toContain('AUTH_TOKEN_INVALID');
      expect(await isSignedIn(s, agent)).toBe(false);
    });

    it("refuses a token whose issuer is another cloud's", async () => {
      const other = clouds.find((c) => c !== cloud) ?? '';
      tokenOf(CONTOSO, `${other}/${CONTOSO}/v2.0`);
      const agent = s.userAgent();
      const page = await signInThroughProvider(s, agent);
      expect(page.status).toBe(400);
      expect(await isSignedIn(s, agent)).toBe(false);
    });

    it('refuses a token without tid', async () => {
      s.provider.bends.idTokenClaims = (claims) => ({ ...claims, iss: `${cloud}/${CONTOSO}/v2.0` });
      const agent = s.userAgent();
      const page = await signInThroughProvider(s, agent);
      expect(page.status).toBe(400);
      expect(await isSignedIn(s, agent)).toBe(false);
    });
  });
}

describe('ALLOWED_TENANTS=* at the common authority', () => {
  let s: HostileSetup;
  const cloud = 'https://login.microsoftonline.com';
  beforeAll(async () => {
    s = await startHostileSetup({
      provider: { publicOrigin: cloud, tenant: 'common', issuer: `${cloud}/{tenantid}/v2.0` },
      env: { ALLOWED_TENANTS: '*' },
    });
  });
  afterAll(async () => s.close());

  it('signs in any organisation', async () => {
    s.provider.bends.idTokenClaims = (c) => ({
      ...c,
      iss: `${cloud}/${OUTSIDER}/v2.0`,
      tid: OUTSIDER,
    });
    const agent = s.userAgent();
    expect((await signInThroughProvider(s, agent)).status).toBe(200);
    expect(await isSignedIn(s, agent)).toBe(true);
  });

  it('refuses personal accounts, which * does not cover', async () => {
    s.provider.bends.idTokenClaims = (c) => ({
      ...c,
      iss: `${cloud}/${PERSONAL_ACCOUNT_TENANT}/v2.0`,
      tid: PERSONAL_ACCOUNT_TENANT,
    });
    const agent = s.userAgent();
    const page = await signInThroughProvider(s, agent);
    expect(page.status).toBe(403);
    expect(page.body).toContain('AUTH_TENANT_NOT_ALLOWED');
    expect(await isSignedIn(s, agent)).toBe(false);
  });
});

describe('personal accounts listed in ALLOWED_TENANTS', () => {
  it('are signed in', async () => {
    const cloud = 'https://login.microsoftonline.com';
    const s = await startHostileSetup({
      provider: { publicOrigin: cloud, tenant: 'common', issuer: `${cloud}/{tenantid}/v2.0` },
      env: { ALLOWED_TENANTS: `*,${PERSONAL_ACCOUNT_TENANT}` },
    });
    try {
      s.provider.bends.idTokenClaims = (c) => ({
        ...c,
        iss: `${cloud}/${PERSONAL_ACCOUNT_TENANT}/v2.0`,
        tid: PERSONAL_ACCOUNT_TENANT,
      });
      const agent = s.userAgent();
      expect((await signInThroughProvider(s, agent)).status).toBe(200);
      expect(await isSignedIn(s, agent)).toBe(true);
    } finally {
      await s.close();
    }
  });
});
