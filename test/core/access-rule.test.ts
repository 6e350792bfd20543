import { describe, expect, it } from 'vitest';
import {
  decideAccess,
  groupsInToken,
  hasGroupsOverage,
  rolesOf,
} from '../../src/core/access-rule.js';
import { personOf } from '../../src/core/signed-in-person.js';

function person(claims: Record<string, unknown>) {
  return personOf({ key: 'entra:t:o', name: 'Alice', claims, idToken: 'x.y.z', signedInAt: 0 });
}

const alice = person({ roles: ['Admin', 7], groups: ['g-eng', 'g-staff'] });
const bob = person({});
const carol = person({
  _claim_names: { groups: 'src1' },
  _claim_sources: { src1: { endpoint: 'https://graph.windows.net/t/users/o/getMemberObjects' } },
});
const noGroupsFromGraph = () => Promise.reject(new Error('Graph was not to be asked'));

describe('an access rule', () => {
  it('lets in a person with any of the roles, and names the role when they lack it', async () => {
    expect(await decideAccess({ anyRole: ['Reader', 'Admin'] }, alice, noGroupsFromGraph)).toEqual({
      allowed: true,
    });
    expect(await decideAccess({ anyRole: ['Admin'] }, bob, noGroupsFromGraph)).toEqual({
      allowed: false,
      missing: 'the app role Admin',
    });
  });

  it('lets in a member of any of the groups, naming the groups by the names given', async () => {
    const groups = () => Promise.resolve(groupsInToken(alice) ?? []);
    expect(await decideAccess({ anyGroup: ['g-staff'] }, alice, groups)).toEqual({ allowed: true });
    expect(
      await decideAccess(
        { anyGroup: ['g-ops', 'g-sec'], groupNames: { 'g-ops': 'Operations' } },
        alice,
        groups,
      ),
    ).toEqual({ allowed: false, missing: 'membership of the group Operations or g-sec' });
  });

  it('asks for groups only when the rule names some', async () => {
    expect(await decideAccess({ anyRole: ['Admin'] }, alice, noGroupsFromGraph)).toEqual({
      allowed: true,
    });
  });

  it('needs every part it has: role, group and check', async () => {
    const groups = () => Promise.resolve(['g-eng']);
    const rule = {
      anyRole: ['Admin'],
      anyGroup: ['g-eng'],
      check: () => false,
      checkName: 'a work day',
    };
    expect(await decideAccess(rule, alice, groups)).toEqual({
      allowed: false,
      missing: 'a work day',
    });
    expect(
      await decideAccess({ ...rule, check: () => Promise.resolve(true) }, alice, groups),
    ).toEqual({
      allowed: true,
    });
  });

  it('passes on a failure to learn the groups rather than deciding without them', async () => {
    await expect(decideAccess({ anyGroup: ['g-eng'] }, carol, noGroupsFromGraph)).rejects.toThrow(
      'Graph was not to be asked',
    );
  });
});

describe("a person's roles and groups", () => {
  it('are the string members of the roles and groups claims', () => {
    expect(rolesOf(alice)).toEqual(['Admin']);
    expect(groupsInToken(alice)).toEqual(['g-eng', 'g-staff']);
    expect(rolesOf(bob)).toEqual([]);
    expect(groupsInToken(bob)).toEqual([]);
  });

  it('are unknown from the token when it carries the groups overage marker', () => {
    expect(hasGroupsOverage(carol)).toBe(true);
    expect(groupsInToken(carol)).toBeNull();
    expect(hasGroupsOverage(alice)).toBe(false);
  });
});
