import { afterEach, describe, expect, it } from 'vitest';
import { startDevIdp } from '../../src/dev-idp/dev-idp.js';
import {
  expectClientRejected,
  freePort,
  signIn,
  startAppWithProvider,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';

describe('when the identity provider misbehaves', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('starts without the provider, says it is unreachable, and recovers when it comes back', async () => {
    const idpPort = await freePort();
    const secret = 'external-client-secret';
    let now = Date.now();
    t = await startTestApp(
      {
        TENANT_ID: '',
        AUTHORITY: `http://127.0.0.1:${idpPort}/contoso/v2.0`,
        CLIENT_ID: 'external-app',
        CLIENT_SECRET: secret,
        PROVIDER_TIMEOUT: '2s',
      },
      { now: () => now },
    );
    const agent = t.userAgent();
    const down = await agent.get(`${t.baseUrl}/auth/sign_in`);
    expect(down.status).toBe(502);
    expect(down.body).toContain('The identity provider cannot be reached');
    expect(down.body).toContain('AUTH_PROVIDER_UNREACHABLE');
    expect((await agent.get(`${t.baseUrl}/`)).status).toBe(200);

    const idp = await startDevIdp({
      port: idpPort,
      nodeEnv: 'test',
      tenantId: 'contoso',
      clientId: 'external-app',
      clientSecret: secret,
      redirectUris: [t.config.redirectUri],
      postLogoutRedirectUris: [t.config.postSignOutRedirectUri],
    });
    try {
      // A failed discovery is remembered for 5 seconds, then tried again.
      now += 5_001;
      const landed = await signIn(t, agent);
      expect(landed.body).toContain("You're signed in, Alice Example!");
    } finally {
      await idp.close();
    }
  });

  it('signs people in through any OpenID provider named by AUTHORITY, without the dev banner', async () => {
    const external = await startAppWithProvider(
      { clientSecret: 'fabrikam-secret' },
      { CLIENT_SECRET: 'fabrikam-secret' },
    );
    try {
      expect(external.t.config.devIdp).toBeNull();
      const landed = await signIn(external.t, external.t.userAgent(), {
        username: 'bob@contoso.test',
      });
      expect(landed.body).toContain("You're signed in, Bob Example!");
      expect(landed.body).not.toContain('Development mode');
    } finally {
      await external.close();
    }
  });

  it('refuses the answer when the client secret is wrong, naming the client authentication method', async () => {
    const external = await startAppWithProvider(
      { clientSecret: 'the-real-secret' },
      { CLIENT_SECRET: 'a-wrong-secret' },
    );
    try {
      const { t: app } = external;
      const page = await expectClientRejected(app, 'client_secret_basic');
      expect(page.body).toContain('invalid_client');
      // Logged at warn, with the token endpoint's status and the method (issue 10, point 11).
      const line =
        app.logs.find((l) => l.includes('AUTH_CLIENT_REJECTED') && !l.includes('"msg":"audit"')) ??
        '';
      expect(JSON.parse(line)).toMatchObject({
        level: 40,
        tokenEndpointStatus: 401,
        clientAuthMethod: 'client_secret_basic',
      });
    } finally {
      await external.close();
    }
  });

  it('accepts a sign-in answer within SIGN_IN_TIMEOUT and refuses one after it', async () => {
    let now = Date.now();
    t = await startTestApp({ SIGN_IN_TIMEOUT: '15m' }, { now: () => now });
    const credentials = { username: 'alice@contoso.test', password: 'Passw0rd!' };

    const patient = t.userAgent();
    const loginPage = await patient.get(`${t.baseUrl}/auth/sign_in`);
    now += 14 * 60_000;
    const landed = await patient.submitForm(loginPage, credentials);
    expect(landed.body).toContain("You're signed in, Alice Example!");

    // The sign-in page sat open for an hour.
    const slow = t.userAgent();
    const stalePage = await slow.get(`${t.baseUrl}/auth/sign_in`);
    now += 60 * 60_000;
    const stale = await slow.submitForm(stalePage, credentials);
    expect(stale.status).toBe(400);
    expect(stale.body).toContain('The sign-in took too long');
    expect(stale.body).toContain('AUTH_ATTEMPT_EXPIRED');
  });
});
