import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_TENANT_ID } from '../../src/app/config.js';
import type { DevIdp } from '../../src/dev-idp/dev-idp.js';
import {
  CONTOSO_STAFF,
  ENGINEERING,
  PRODUCT_MANAGEMENT,
} from '../../src/dev-idp/directory-groups.js';
import { signInAndRedeem, SIGN_IN_SCOPES, startProviderWithClient } from './dev-idp-client.js';

const CAROL_OID = 'ca401000-0000-4000-8000-000000000003';

describe('app roles and groups in the development identity provider’s ID tokens, as Entra’s', () => {
  let idp: DevIdp;
  let client: oidc.Configuration;
  const idTokenOf = async (username: string): Promise<Record<string, unknown>> =>
    (await signInAndRedeem(client, { username })).tokens.claims() ?? {};
  beforeAll(async () => {
    ({ idp, client } = await startProviderWithClient());
  });
  afterAll(async () => idp.close());

  it('gives Alice’s ID token her app role and her three groups', async () => {
    const claims = await idTokenOf('alice@contoso.test');
    expect(claims['roles']).toEqual(['Admin']);
    expect(claims['groups']).toEqual([ENGINEERING.id, CONTOSO_STAFF.id, PRODUCT_MANAGEMENT.id]);
    expect(claims).not.toHaveProperty('_claim_names');
    expect(claims).not.toHaveProperty('_claim_sources');
  });

  it('gives Bob’s ID token no roles, no groups and no overage marker', async () => {
    const claims = await idTokenOf('bob@contoso.test');
    expect(claims).toMatchObject({ preferred_username: 'bob@contoso.test' });
    for (const name of ['roles', 'groups', '_claim_names', '_claim_sources']) {
      expect(claims).not.toHaveProperty(name);
    }
  });

  it('gives Carol, in 250 groups, the overage marker instead of a groups claim', async () => {
    const claims = await idTokenOf('carol@contoso.test');
    expect(claims).not.toHaveProperty('groups');
    expect(claims).not.toHaveProperty('roles');
    expect(claims['_claim_names']).toEqual({ groups: 'src1' });
    expect(claims['_claim_sources']).toEqual({
      src1: {
        endpoint: `https://graph.windows.net/${DEV_TENANT_ID}/users/${CAROL_OID}/getMemberObjects`,
      },
    });
  });

  it('keeps the marker in the ID token of a refresh, as the groups would be', async () => {
    const { tokens } = await signInAndRedeem(client, { username: 'carol@contoso.test' });
    const refreshed = await oidc.refreshTokenGrant(client, tokens.refresh_token ?? '', {
      scope: SIGN_IN_SCOPES,
    });
    expect(refreshed.claims()?.['_claim_names']).toEqual({ groups: 'src1' });
  });

  it('lists roles and groups among the claims its discovery document supports', async () => {
    const response = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    const metadata = (await response.json()) as { claims_supported: string[] };
    expect(metadata.claims_supported).toEqual(expect.arrayContaining(['roles', 'groups']));
  });
});
