import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadTls } from '../../src/app/local-tls.js';

type TlsConfig = Parameters<typeof loadTls>[0];

const modeOf = (path: string) => statSync(path).mode & 0o777;
const adhoc = (dataDir: string) => ({ https: { mode: 'adhoc' }, dataDir }) as TlsConfig;

describe('loadTls with HTTPS=adhoc', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'entra-signin-tls-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  // Regression: the certificate was written 0644 into a folder made 0755.
  it('creates the data folder 0700 and the key and certificate 0600', async () => {
    const dataDir = join(root, 'data');
    await loadTls(adhoc(dataDir));
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(join(dataDir, 'localhost-key.pem'))).toBe(0o600);
    expect(modeOf(join(dataDir, 'localhost-cert.pem'))).toBe(0o600);
  });

  // Regression: writeFileSync's mode applies to new files only; an old key kept 0644.
  it('narrows a key file left world-readable when it writes a new pair', async () => {
    const dataDir = join(root, 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    writeFileSync(join(dataDir, 'localhost-key.pem'), 'old key', { mode: 0o644 });
    await loadTls(adhoc(dataDir));
    expect(modeOf(join(dataDir, 'localhost-key.pem'))).toBe(0o600);
    // A folder that was there already is the owner's to decide.
    expect(modeOf(dataDir)).toBe(0o755);
  });
});
