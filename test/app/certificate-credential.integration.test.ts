import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createClientCertificate } from '../../src/cli/registration/certificate.js';
import {
  expectClientRejected,
  signIn,
  startAppWithProvider,
  type AppWithProvider,
} from '../support/test-app.js';

describe('a certificate credential instead of a client secret', () => {
  let external: AppWithProvider | undefined;
  afterEach(async () => {
    await external?.close();
    external = undefined;
  });

  const certificate = (name: string) =>
    createClientCertificate({
      dir: mkdtempSync(join(tmpdir(), 'client-cert-')),
      name,
      days: 30,
      now: new Date(),
    });

  async function startWith(
    registeredCertFile: string,
    used: { certFile: string; keyFile: string },
  ) {
    external = await startAppWithProvider(
      { clientCertificatePem: readFileSync(registeredCertFile, 'utf8') },
      { CLIENT_CERTIFICATE_FILE: used.certFile, CLIENT_KEY_FILE: used.keyFile },
    );
    return external.t;
  }

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
    const page = await expectClientRejected(app, 'private_key_jwt');
    expect(page.body).toContain('invalid_client');
  });
});
