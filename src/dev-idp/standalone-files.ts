/**
 * The files of the standalone development identity provider: the client secret and signing key
 * it keeps across restarts, and the `.env` lines it writes for the app. Each is readable by its
 * owner only (folder 0700, files 0600), as the app's own generated secrets are.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readEnvFile, updateEnvFile } from '../cli/registration/env-file.js';
import { writePrivateFile } from '../core/private-file.js';
import type { DevSigningKey } from './dev-idp-options.js';
import { generateSigningKey } from './provider-configuration.js';

/** The file under DATA_DIR that keeps the generated client secret. */
export const SECRET_FILE = 'dev-idp-secret';
// The file under DATA_DIR that keeps the ID token signing key (a private JWK).
const SIGNING_KEY_FILE = 'dev-idp-signing-key.json';

/**
 * The client secret kept in `dataDir`, made (32 random bytes, base64url) on the first run: the
 * apps that were given it keep working after the provider restarts.
 */
export function keptClientSecret(dataDir: string): string {
  const file = join(dataDir, SECRET_FILE);
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept !== '') return kept;
  }
  const secret = randomBytes(32).toString('base64url');
  writePrivateFile(file, `${secret}\n`);
  return secret;
}

/**
 * The signing key kept in `dataDir`, made on the first run: the apps' cached copy of the
 * provider's keys stays right after a restart, so no sign-in waits for them to be fetched again.
 */
export function keptSigningKey(dataDir: string): DevSigningKey {
  const file = join(dataDir, SIGNING_KEY_FILE);
  const kept = existsSync(file) ? parseJson(readFileSync(file, 'utf8')) : null;
  if (isRsaPrivateJwk(kept)) return kept;
  const key = generateSigningKey();
  writePrivateFile(file, `${JSON.stringify(key)}\n`);
  return key;
}

// A file that is not a key (cut short, edited) is replaced by a new key, as a missing one is.
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function isRsaPrivateJwk(value: unknown): value is DevSigningKey {
  if (typeof value !== 'object' || value === null) return false;
  const jwk = value as Record<string, unknown>;
  return jwk['kty'] === 'RSA' && typeof jwk['d'] === 'string' && typeof jwk['kid'] === 'string';
}

/**
 * Sets `settings` in the dotenv file at `path`: a line of the file that sets one of them is
 * replaced, the others are appended, and every other line is kept; `TENANT_ID` is commented out,
 * since it would name Entra instead of this provider. The file is made, or narrowed to, 0600.
 * Returns whether a TENANT_ID line was commented out.
 */
export function writeEnvFile(path: string, settings: Readonly<Record<string, string>>): boolean {
  const tenantCommented = Object.hasOwn(readEnvFile(path), 'TENANT_ID');
  // The file is this command's to write again on each run, so no backup piles up.
  updateEnvFile(path, { ...settings, TENANT_ID: null }, new Date(), {
    backup: false,
    removedNote: 'commented out by npm run dev-idp: AUTHORITY names the development provider',
  });
  return tenantCommented;
}
