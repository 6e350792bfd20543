import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyChanges, findEnvConflicts, updateEnvFile } from '../../src/cli/registration/env-file.js';

describe('applyChanges', () => {
  it('changes a key in place and keeps comments, blank lines and other settings in order', () => {
    const before = '# tenant\nTENANT_ID=old\n\nPORT=5000 # local\nexport CLIENT_ID=abc\n';
    expect(applyChanges(before, { TENANT_ID: 'new', CLIENT_ID: 'def' })).toBe(
      '# tenant\nTENANT_ID=new\n\nPORT=5000 # local\nCLIENT_ID=def\n',
    );
  });

  it('appends keys that are not there yet', () => {
    expect(applyChanges('PORT=5000', { CLIENT_SECRET: 's3cr~t.value' })).toBe(
      'PORT=5000\nCLIENT_SECRET=s3cr~t.value\n',
    );
  });

  it('removes keys set to null, every line of them', () => {
    expect(
      applyChanges('CLIENT_SECRET=a\nPORT=1\nCLIENT_SECRET=b\n', { CLIENT_SECRET: null }),
    ).toBe('PORT=1\n');
  });

  it('quotes values that would otherwise be read back differently', () => {
    const text = applyChanges('', {
      CLIENT_KEY_FILE: '/home/me/My Keys/key#1.pem',
      CLIENT_SECRET: 'has"quote',
    });
    expect(parseEnv(text)).toEqual({
      CLIENT_KEY_FILE: '/home/me/My Keys/key#1.pem',
      CLIENT_SECRET: 'has"quote',
    });
  });
});

describe('findEnvConflicts', () => {
  it('lists only keys that hold a different, non-empty value', () => {
    const current = { TENANT_ID: 't', CLIENT_ID: 'old', CLIENT_SECRET: '' };
    expect(
      findEnvConflicts(current, { TENANT_ID: 't', CLIENT_ID: 'new', CLIENT_SECRET: 'x' }),
    ).toEqual(['CLIENT_ID']);
  });
});

describe('updateEnvFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'entra-signin-env-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('backs the file up before changing it, and makes both readable by the owner only', () => {
    const file = join(dir, '.env');
    writeFileSync(file, 'PORT=5000\n', { mode: 0o644 });
    const backup = updateEnvFile(file, { CLIENT_ID: 'abc' }, new Date('2025-01-02T03:04:05Z'));
    expect(backup).toBe(`${file}.backup-20250102T030405Z`);
    expect(readFileSync(backup ?? '', 'utf8')).toBe('PORT=5000\n');
    expect(readFileSync(file, 'utf8')).toBe('PORT=5000\nCLIENT_ID=abc\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(backup ?? '').mode & 0o777).toBe(0o600);
  });

  it('never overwrites an earlier backup made in the same second', () => {
    const file = join(dir, '.env');
    const at = new Date('2025-01-02T03:04:05Z');
    writeFileSync(file, 'A=1\n');
    updateEnvFile(file, { CLIENT_ID: 'one' }, at);
    updateEnvFile(file, { CLIENT_ID: 'two' }, at);
    const backups = readdirSync(dir)
      .filter((f) => f.includes('backup'))
      .sort();
    expect(backups).toEqual(['.env.backup-20250102T030405Z', '.env.backup-20250102T030405Z-2']);
    expect(readFileSync(join(dir, backups[1] ?? ''), 'utf8')).toBe('A=1\nCLIENT_ID=one\n');
  });

  it('creates the file when there is none, without a backup', () => {
    const file = join(dir, '.env');
    expect(updateEnvFile(file, { TENANT_ID: 't' })).toBeNull();
    expect(readFileSync(file, 'utf8')).toBe('TENANT_ID=t\n');
  });

  it('leaves the file and makes no backup when nothing changes', () => {
    const file = join(dir, '.env');
    writeFileSync(file, 'TENANT_ID=t\n');
    expect(updateEnvFile(file, { TENANT_ID: 't', CLIENT_SECRET: null })).toBeNull();
    expect(readdirSync(dir)).toEqual(['.env']);
  });
});
