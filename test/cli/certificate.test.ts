import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClientCertificate } from '../../src/cli/registration/certificate.js';

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('createClientCertificate', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'entra-signin-cert-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const create = (dir: string) =>
    createClientCertificate({ dir, name: 'app', days: 1, now: new Date() });

  // Regression: the certificate was written 0644, and the folder 0755.
  it('creates its folder 0700 and the key and certificate 0600', async () => {
    const dir = join(root, 'data');
    const cert = await create(dir);
    expect(modeOf(dir)).toBe(0o700);
    expect([cert.keyFile, cert.certFile].map(modeOf)).toEqual([0o600, 0o600]);
  });

  // Regression: writeFileSync's mode applies to new files only; a key from an earlier run kept 0644.
  it('narrows key and certificate files left world-readable by an earlier run', async () => {
    const dir = join(root, 'data');
    mkdirSync(dir);
    for (const file of ['app-client-key.pem', 'app-client-cert.pem']) {
      writeFileSync(join(dir, file), 'old', { mode: 0o644 });
    }
    const cert = await create(dir);
    expect([cert.keyFile, cert.certFile].map(modeOf)).toEqual([0o600, 0o600]);
  });
});
