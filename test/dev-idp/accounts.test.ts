import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  demoAccounts,
  findAccountByCredentials,
  readAccountsFile,
} from '../../src/dev-idp/accounts.js';

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
    expect(findAccountByCredentials(demoAccounts, 'carol@contoso.test', 'Passw0rd!')).toBeNull();
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

  it('says what is wrong with a malformed accounts file', () => {
    expect(() => readAccountsFile(file('{"username":"x"}'))).toThrow(/must be an array/);
    expect(() => readAccountsFile(file('not json'))).toThrow(/not readable JSON/);
    expect(() =>
      readAccountsFile(file('[{"username":"x","password":"y","name":"X","photoColour":"red"}]')),
    ).toThrow(/photoColour must be a colour like #0067b8/);
  });
});
