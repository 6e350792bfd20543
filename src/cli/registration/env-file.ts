/**
 * Reads and edits `.env` the careful way: a backup first, the other settings, comments and order
 * kept, only the named keys changed, and the file readable by its owner only (it holds secrets).
 */
import { chmodSync, copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/** The settings `npm run register` writes and `npm run unregister` removes. */
export const REGISTRATION_KEYS = [
  'TENANT_ID',
  'CLIENT_ID',
  'CLIENT_SECRET',
  'CLIENT_CERTIFICATE_FILE',
  'CLIENT_KEY_FILE',
] as const;

/** One of {@link REGISTRATION_KEYS}. */
export type RegistrationKey = (typeof REGISTRATION_KEYS)[number];

/** Changes to make: a value sets the key, `null` removes it. */
export type EnvChanges = Partial<Record<RegistrationKey, string | null>>;

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/;

/** The settings in a `.env` file; empty when there is none. */
export function readEnvFile(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  return parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
}

/**
 * The keys whose current value would be replaced by a different one: what `--force` is needed
 * for. Keys that are unset or already equal are not conflicts.
 */
export function findEnvConflicts(current: Record<string, string>, changes: EnvChanges): string[] {
  return Object.entries(changes)
    .filter(([key, value]) => {
      const existing = current[key];
      return existing !== undefined && existing !== '' && existing !== (value ?? existing);
    })
    .map(([key]) => key);
}

/**
 * Applies `changes` to the `.env` file at `path`, after copying it to a timestamped backup
 * (`.env.backup-…`, ignored by git like `.env`). Returns the backup's path, or `null` when there was
 * no file yet or nothing to change.
 */
export function updateEnvFile(path: string, changes: EnvChanges, now = new Date()): string | null {
  const exists = existsSync(path);
  const before = exists ? readFileSync(path, 'utf8') : '';
  const after = applyChanges(before, changes);
  if (after === before) return null;
  let backup: string | null = null;
  if (exists) {
    backup = freeBackupName(path, now);
    copyFileSync(path, backup);
    chmodSync(backup, 0o600);
  }
  writeFileSync(path, after, { mode: 0o600 });
  // writeFileSync's mode applies to new files only; an existing .env may be world-readable.
  chmodSync(path, 0o600);
  return backup;
}

// `.env.backup-20250102T030405Z`, with a counter when that exists already (two runs in a second).
function freeBackupName(path: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  let name = `${path}.backup-${stamp}`;
  for (let n = 2; existsSync(name); n++) name = `${path}.backup-${stamp}-${n}`;
  return name;
}

/** The text of a `.env` file with `changes` made: lines edited in place, new keys appended. */
export function applyChanges(text: string, changes: EnvChanges): string {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const written = new Set<string>();
  const out: string[] = [];
  for (const line of lines) {
    const key = ASSIGNMENT.exec(line)?.[1];
    if (key === undefined || !Object.hasOwn(changes, key)) {
      out.push(line);
      continue;
    }
    const value = changes[key as RegistrationKey];
    // null removes the key; a key set on several lines keeps one line, with the new value.
    if (value === null || value === undefined || written.has(key)) continue;
    out.push(`${key}=${quote(value)}`);
    written.add(key);
  }
  for (const [key, value] of Object.entries(changes)) {
    if (typeof value === 'string' && !written.has(key)) out.push(`${key}=${quote(value)}`);
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

// Node's .env parser ends an unquoted value at "#" and trims it, and has no escapes inside quotes:
// quote with whichever quote the value does not contain.
function quote(value: string): string {
  if (/^[\w.\-~/:@+=,%]*$/.test(value)) return value;
  if (!value.includes('\n') && !value.includes('"')) return `"${value}"`;
  if (!value.includes('\n') && !value.includes("'")) return `'${value}'`;
  throw new Error('A .env value cannot hold both kinds of quote or a line break');
}
