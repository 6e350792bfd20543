import { describe, expect, it } from 'vitest';
import {
  addAppRoles,
  describeAppRoleValueProblem,
  newAppRole,
} from '../../src/cli/registration/app-roles.js';
import {
  addSecurityGroupClaims,
  listsApplicationGroupsOnly,
} from '../../src/cli/registration/group-claims.js';

describe('describeAppRoleValueProblem', () => {
  it.each(['Admin', 'Reader', 'Reports.Read', 'site_admin', 'tier-2', 'A1'])(
    'accepts %s',
    (value) => {
      expect(describeAppRoleValueProblem(value)).toBeNull();
    },
  );

  it.each([
    ['Site Admin', /cannot contain spaces/],
    ['Admin!', /letters, digits and \. _ - only, not !/],
    ['Adm/in:x', /not \/ :/],
    ['Rôle', /not ô/],
    ['.Admin', /begins with a dot/],
    ['', /needs a role's value/],
    ['A'.repeat(121), /at most 120 characters long; you gave 121/],
  ])('refuses %j, saying what is wrong', (value, message) => {
    expect(describeAppRoleValueProblem(value)).toMatch(message);
  });
});

describe('addAppRoles', () => {
  const admin = { ...newAppRole('Admin', 'entra-signin'), displayName: 'Administrators' };

  it('appends the missing roles after every role the registration had, in order', () => {
    const someones = { id: 'f1f1f1f1-0000-4000-8000-000000000001', value: 'Auditor', extra: 1 };
    const reader = newAppRole('Reader', 'entra-signin');
    expect(addAppRoles([admin, someones], [newAppRole('Admin', 'x'), reader])).toEqual([
      admin,
      someones,
      reader,
    ]);
  });

  it('answers null when the registration has every role, whatever their other properties', () => {
    expect(addAppRoles([admin], [newAppRole('Admin', 'entra-signin')])).toBeNull();
  });

  it('adds a value asked for twice once', () => {
    const added = addAppRoles([], [newAppRole('Admin', 'a'), newAppRole('Admin', 'a')]);
    expect(added?.map((role) => role.value)).toEqual(['Admin']);
  });

  it('makes a role for people, enabled, with a new GUID each time', () => {
    const [one, two] = [newAppRole('Admin', 'entra-signin'), newAppRole('Admin', 'entra-signin')];
    expect(one).toMatchObject({
      allowedMemberTypes: ['User'],
      displayName: 'Admin',
      value: 'Admin',
      isEnabled: true,
    });
    expect(one.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(one.id).not.toBe(two.id);
  });
});

describe('listsApplicationGroupsOnly', () => {
  it.each([
    ['ApplicationGroup', true],
    ['ApplicationGroup, DirectoryRole', true],
    ['SecurityGroup, ApplicationGroup', false],
    ['None', false],
    [null, false],
  ])('says %j lists the app’s groups only: %s', (current, expected) => {
    expect(listsApplicationGroupsOnly(current)).toBe(expected);
  });
});

describe('addSecurityGroupClaims', () => {
  it.each([null, undefined, 'None', 'ApplicationGroup', 'DirectoryRole'])(
    'asks for SecurityGroup when the registration has %j',
    (current) => {
      expect(addSecurityGroupClaims(current)).toBe('SecurityGroup');
    },
  );

  it.each(['SecurityGroup', 'All', 'securitygroup', 'SecurityGroup, DirectoryRole'])(
    'leaves %j alone: it lists security groups already',
    (current) => {
      expect(addSecurityGroupClaims(current)).toBeNull();
    },
  );
});
