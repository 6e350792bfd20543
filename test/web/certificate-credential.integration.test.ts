import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startDevIdp, type DevIdp } from '../../src/dev-idp/dev-idp.js';
import { createClientCertificate } from '../../src/registration/certificate.js';
import { freePort, signIn, startTestApp, type TestApp } from '../support/test-app.js';

describe('a certificate credential instead of a client secret', () => {
  let t: TestApp | undefined;
  let idp: DevIdp | undefined;
  afterEach(async () => {
    await t?.close();
    await idp?.close();
    t = idp = undefined;
  });

  async function startWith(registered: string, used: { certFile: string; keyFile: string }) {
    const appPort = await freePort();
    idp = await startDevIdp({
      port: 0,
      nodeEnv: 'test',
      tenantId: 'contoso',
      clientId: 'cert-app',
      clientSecret: 'unused',
      clientCertificatePem: readFileSync(registered, 'utf8'),
      redirectUris: [`http://localhost:${appPort}/auth/redirect`],
      postLogoutRedirectUris: [],
    });
    t = await startTestApp({
      PORT: String(appPort),
      BASE_URL: `http://localhost:${appPort}`,
      AUTHORITY: idp.issuer,
      CLIENT_ID: 'cert-app',
      CLIENT_CERTIFICATE_FILE: used.certFile,
      CLIENT_KEY_FILE: used.keyFile,
    });
    return t;
  }

  const certificate = (name: string) =>
    createClientCertificate({
      dir: mkdtempSync(join(tmpdir(), 'client-cert-')),
      name,
      days: 30,
      now: new Date(),
    });

  it('signs Alice in with private_key_jwt, no secret configured', async () => {
    const cert = await certificate('entra-signin-test');
    const app = await startWith(cert.certFile, cert);
    expect(app.config.oidc.clientSecret).toBe('');
    const landed = await signIn(app, app.userAgent());
    expect(landed.body).toContain("You're signed in, Alice Example!");
  });

  it('is refused when the key is not the registered certificate’s', async () => {
    const registered = await certificate('registered');
    const other = await certificate('other');
    const app = await startWith(registered.certFile, other);
    const agent = app.userAgent();
    const page = await signIn(app, agent);
    expect(page.status).toBe(400);
    expect(page.body).toContain('AUTH_CODE_REJECTED');
    expect(page.body).toContain('invalid_client');
    expect((await agent.get(`${app.baseUrl}/token_details`)).status).toBe(401);
  });
});
