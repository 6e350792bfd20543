import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import type { Config } from './config.js';

/** A TLS key and certificate in PEM. */
export interface TlsFiles {
  readonly key: string;
  readonly cert: string;
}

/**
 * The TLS material HTTPS asks for: the configured files, or (HTTPS=adhoc, like Flask's
 * FLASK_RUN_CERT=adhoc) a self-signed certificate for localhost, generated once and kept under the
 * data folder so the browser's exception survives a restart. `null` when serving plain http.
 */
export async function loadTls(config: Config): Promise<TlsFiles | null> {
  const { https } = config;
  if (https.mode === 'off') return null;
  if (https.mode === 'files') {
    return { key: readFileSync(https.keyFile, 'utf8'), cert: readFileSync(https.certFile, 'utf8') };
  }
  const keyFile = join(config.dataDir, 'localhost-key.pem');
  const certFile = join(config.dataDir, 'localhost-cert.pem');
  if (existsSync(keyFile) && existsSync(certFile)) {
    return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
  }
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 365 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  // The key is the server's secret; neither file is anyone else's business. A mode given to
  // writeFileSync applies to new files only, so an older file left 0644 is narrowed with chmod.
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  for (const [file, pem] of [
    [keyFile, pems.private],
    [certFile, pems.cert],
  ] as const) {
    writeFileSync(file, pem, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return { key: pems.private, cert: pems.cert };
}
