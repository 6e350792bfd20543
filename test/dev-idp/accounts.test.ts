import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  demoAccounts,
  findAccountByCredentials,
  readAccountsFile,
} from '../../src/dev-idp/accounts.js';
import { NUMBERED_GROUPS } from '../../src/dev-idp/directory-groups.js';

const file = (content: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'accounts-')), 'accounts.json');
  writeFileSync(path, content);
  return path;
};

describe('development accounts', () => {
  it('finds Alice by her username, whatever its case, and password', () => {
    expect(findAccountByCredentials(demoAccounts, 'Alice@Contoso.test', 'Passw0rd!')?.name).toBe(
      'Alice Example',
    );
  });

  it('finds nobody with a wrong password or an unknown username', () => {
    expect(findAccountByCredentials(demoAccounts, 'alice@contoso.test', 'passw0rd!')).toBeNull();
    expect(findAccountByCredentials(demoAccounts, 'dave@contoso.test', 'Passw0rd!')).toBeNull();
  });

  it('reads extra accounts from a JSON file, with a stable oid', () => {
    const path = file('[{"username":"carol@fabrikam.test","password":"pw","name":"Carol"}]');
    const [carol] = readAccountsFile(path);
    expect(carol?.oid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(readAccountsFile(path)[0]?.oid).toBe(carol?.oid);
    expect(carol?.email).toBe('carol@fabrikam.test');
  });

  it('gives the demo accounts the profile the Graph fake answers, Alice with a photo', () => {
    const [alice, bob] = demoAccounts;
    expect(alice).toMatchObject({ jobTitle: 'Product Manager', officeLocation: 'Building 4' });
    expect(alice?.photoColour).toMatch(/^#[0-9a-f]{6}$/);
    expect(bob).toMatchObject({ givenName: 'Bob', surname: 'Example', jobTitle: null });
    expect(bob?.photoColour).toBeUndefined();
  });

  it('reads the optional profile fields of an extra account, and leaves absent ones out', () => {
    const path = file(
      '[{"username":"carol@fabrikam.test","password":"pw","name":"Carol","jobTitle":"Engineer","officeLocation":null,"photoColour":"#107c10"}]',
    );
    const [carol] = readAccountsFile(path);
    expect(carol).toMatchObject({
      jobTitle: 'Engineer',
      officeLocation: null,
      photoColour: '#107c10',
    });
    expect(carol !== undefined && 'givenName' in carol).toBe(false);
  });

  it('has Carol, with the demo password, in 250 distinct groups: more than an Entra JWT lists', () => {
    const carol = findAccountByCredentials(demoAccounts, 'carol@contoso.test', 'Passw0rd!');
    expect(carol).toMatchObject({
      name: 'Carol Example',
      oid: 'ca401000-0000-4000-8000-000000000003',
    });
    expect(carol?.groups).toHaveLength(250);
    expect(new Set(carol?.groups).size).toBe(250);
    expect(carol?.roles).toBeUndefined();
  });

  it('derives the numbered groups’ ids from their number, the same on every run', () => {
    expect(NUMBERED_GROUPS[16]).toEqual({
      id: 'd466527b-3ce1-4ae8-80a9-0a7b9d103ae8',
      displayName: 'Group 17',
    });
  });

  it('gives Alice the Admin role and three groups, and Bob neither', () => {
    const [alice, bob] = demoAccounts;
    expect(alice?.roles).toEqual(['Admin']);
    expect(alice?.groups).toHaveLength(3);
    expect(bob?.roles).toBeUndefined();
    expect(bob?.groups).toBeUndefined();
  });

  it('reads the roles and groups of an extra account, groups as object ids only', () => {
    const group = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    const [erin] = readAccountsFile(
      file(
        `[{"username":"erin@fabrikam.test","password":"pw","name":"Erin","roles":["Reader"],"groups":["${group}"]}]`,
      ),
    );
    expect(erin).toMatchObject({ roles: ['Reader'], groups: [group] });
    expect(() =>
      readAccountsFile(
        file('[{"username":"x","password":"y","name":"X","groups":["Engineering"]}]'),
      ),
    ).toThrow(/groups must be group object ids \(GUIDs\)/);
  });

  it('says what is wrong with a malformed accounts file', () => {
    expect(() => readAccountsFile(file('{"username":"x"}'))).toThrow(/must be an array/);
    expect(() => readAccountsFile(file('not json'))).toThrow(/not readable JSON/);
    expect(() =>
      readAccountsFile(file('[{"username":"x","password":"y","name":"X","photoColour":"red"}]')),
    ).toThrow(/photoColour must be a colour like #0067b8/);
  });
});
