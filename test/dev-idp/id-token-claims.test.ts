import { describe, expect, it } from 'vitest';
import type { DevAccount } from '../../src/dev-idp/accounts.js';
import { NUMBERED_GROUPS } from '../../src/dev-idp/directory-groups.js';
import { idTokenClaimsOf } from '../../src/dev-idp/id-token-claims.js';

const TENANT = '7c6d5e4f-3a2b-4c1d-8e9f-0a1b2c3d4e5f';
const person = (groups: readonly string[], roles?: string[]): DevAccount => ({
  username: 'dana@contoso.test',
  password: 'pw',
  name: 'Dana',
  oid: 'da4a0000-0000-4000-8000-000000000004',
  email: 'dana@contoso.test',
  groups,
  ...(roles === undefined ? {} : { roles }),
});
const ids = (count: number) => NUMBERED_GROUPS.slice(0, count).map((g) => g.id);

describe('the development identity provider’s ID token claims', () => {
  it('lists 200 groups in the groups claim, the most an Entra JWT holds', () => {
    const claims = idTokenClaimsOf(person(ids(200)), TENANT);
    expect(claims['groups']).toEqual(ids(200));
    expect(claims).not.toHaveProperty('_claim_names');
  });

  it('puts the overage marker in place of 201 groups, pointing at the user’s getMemberObjects', () => {
    const claims = idTokenClaimsOf(person(ids(201)), TENANT);
    expect(claims).not.toHaveProperty('groups');
    expect(claims).toMatchObject({
      _claim_names: { groups: 'src1' },
      _claim_sources: {
        src1: {
          endpoint: `https://graph.windows.net/${TENANT}/users/da4a0000-0000-4000-8000-000000000004/getMemberObjects`,
        },
      },
    });
  });

  it('leaves roles and groups out rather than send empty lists', () => {
    const claims = idTokenClaimsOf(person([], []), TENANT);
    expect(claims).not.toHaveProperty('roles');
    expect(claims).not.toHaveProperty('groups');
    expect(claims).not.toHaveProperty('_claim_names');
  });
});
