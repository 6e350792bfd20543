import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  applyChanges,
  EnvFileRefused,
  findEnvConflicts,
  updateEnvFile,
} from '../../src/cli/registration/env-file.js';

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

describe('applyChanges with values Node reads in a way of its own', () => {
  // Regression: unregister removed the first line of a quoted secret and left the line inside it,
  // AUTHORITY=…, as a live setting.
  it('refuses to edit a file whose quoted value spans several lines, naming the key', () => {
    const text =
      'CLIENT_SECRET="first line\nAUTHORITY=https://attacker.example\nlast line"\nCLIENT_ID=abc\n';
    expect(parseEnv(text)).not.toHaveProperty('AUTHORITY');
    expect(() => applyChanges(text, { CLIENT_SECRET: null, CLIENT_ID: null })).toThrow(
      EnvFileRefused,
    );
    expect(() => applyChanges(text, { CLIENT_SECRET: null, CLIENT_ID: null })).toThrow(
      /the value of CLIENT_SECRET spans several lines.*Edit \.env by hand/,
    );
  });

  it('refuses a value that opens a quote it does not close, which a new line could end', () => {
    expect(() => applyChanges('NOTE="unfinished\n', { CLIENT_SECRET: 'a"b' })).toThrow(
      /the value of NOTE spans several lines \(or opens a quote it does not close\)/,
    );
  });

  it('edits around a quoted value on one line, even with \\n inside', () => {
    const text = 'KEY="line one\\nline two"\nCLIENT_ID=old\n';
    expect(applyChanges(text, { CLIENT_ID: 'new' })).toBe(
      'KEY="line one\\nline two"\nCLIENT_ID=new\n',
    );
  });

  // Regression: a backslash and n in a value were written inside double quotes, which Node reads
  // as a line break.
  it('writes a backslash followed by n so that it reads back as written', () => {
    const value = String.raw`C:\new\key.pem`;
    expect(parseEnv(applyChanges('', { CLIENT_KEY_FILE: value }))).toEqual({
      CLIENT_KEY_FILE: value,
    });
  });

  it('refuses a value no quoting can carry (found by the property below)', () => {
    expect(() => applyChanges('', { CLIENT_SECRET: "'`\\n" })).toThrow(
      /value for CLIENT_SECRET cannot be written/,
    );
  });

  it('refuses a value with a line break rather than write something else', () => {
    expect(() => applyChanges('', { CLIENT_SECRET: 'a\nb' })).toThrow(
      /value for CLIENT_SECRET cannot be written/,
    );
  });

  it('writes any one-line value so that parseEnv reads back exactly what was written', () => {
    // Mostly the characters Node's parser treats specially, and now and then any grapheme.
    const special = fc.constantFrom('"', "'", '`', '\\', 'n', '#', ' ', '\t', '=', '$', 'a');
    const oneLine = fc
      .string({
        unit: fc.oneof(special, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })),
        maxLength: 24,
      })
      // Refused, with a message, and tested above: a value no quoting can carry (it holds ' and `,
      // and " or a backslash-n, which Node reads as a line break inside double quotes).
      .filter(
        (v) =>
          !/[\r\n]/.test(v) &&
          !(v.includes("'") && v.includes('`') && (v.includes('"') || v.includes('\\n'))),
      );
    const settings = fc.constantFrom('', 'PORT=5000\n', '# comment\nCLIENT_ID=old # was\n');
    fc.assert(
      fc.property(settings, oneLine, oneLine, (before, secret, keyFile) => {
        const after = applyChanges(before, { CLIENT_SECRET: secret, CLIENT_KEY_FILE: keyFile });
        const read = parseEnv(after);
        expect(read['CLIENT_SECRET']).toBe(secret);
        expect(read['CLIENT_KEY_FILE']).toBe(keyFile);
      }),
      { numRuns: 500 },
    );
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

  it('changes nothing, and makes no backup, when it refuses the file', () => {
    const file = join(dir, '.env');
    const text = 'CLIENT_SECRET="one\nAUTHORITY=https://attacker.example\ntwo"\n';
    writeFileSync(file, text);
    expect(() => updateEnvFile(file, { CLIENT_SECRET: null })).toThrow(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be edited safely`),
    );
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(readdirSync(dir)).toEqual(['.env']);
  });

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
