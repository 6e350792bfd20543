import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_TENANT_ID } from '../../src/app/config.js';
import { startDevIdp, type DevIdp } from '../../src/dev-idp/dev-idp.js';

describe('the development identity provider', () => {
  let idp: DevIdp;
  beforeAll(async () => {
    idp = await startDevIdp({
      port: 0,
      nodeEnv: 'test',
      tenantId: DEV_TENANT_ID,
      clientId: 'app',
      clientSecret: 'secret',
      redirectUris: ['http://localhost:1/auth/redirect'],
      postLogoutRedirectUris: [],
    });
  });
  afterAll(async () => idp.close());

  it('publishes discovery at {issuer}/.well-known/openid-configuration, shaped like Entra v2.0', async () => {
    expect(idp.issuer).toBe(`http://127.0.0.1:${idp.port}/${DEV_TENANT_ID}/v2.0`);
    const response = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata['issuer']).toBe(idp.issuer);
    expect(metadata['end_session_endpoint']).toEqual(expect.stringContaining(idp.issuer));
    expect(metadata['id_token_signing_alg_values_supported']).toContain('RS256');
    expect(metadata['claims_supported']).toEqual(
      expect.arrayContaining(['oid', 'tid', 'preferred_username', 'ver']),
    );
  });

  it('publishes an RS256 signing key', async () => {
    const metadata = (await (
      await fetch(`${idp.issuer}/.well-known/openid-configuration`)
    ).json()) as { jwks_uri: string };
    const jwks = (await (await fetch(metadata.jwks_uri)).json()) as {
      keys: { kty: string; alg: string; kid: string; d?: string }[];
    };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256' });
    expect(jwks.keys[0]?.d).toBeUndefined();
  });

  it('labels its pages as a development provider', async () => {
    const page = await fetch(`http://127.0.0.1:${idp.port}/`);
    expect(await page.text()).toContain('Development identity provider');
  });

  it('refuses to start in production', async () => {
    await expect(
      startDevIdp({
        port: 0,
        nodeEnv: 'production',
        tenantId: DEV_TENANT_ID,
        clientId: 'app',
        clientSecret: 'secret',
        redirectUris: [],
        postLogoutRedirectUris: [],
      }),
    ).rejects.toThrow(/refuses to run with NODE_ENV=production/);
  });
});
