/**
 * Reads and edits `.env` the careful way: a backup first, the other settings, comments and order
 * kept, only the named keys changed, and the file readable by its owner only (it holds secrets).
 * `npm run register`, `unregister` and `npm run dev-idp -- --write-env` all edit it here.
 * The edit works line by line, so a file with a value over several lines is refused, and every
 * edit is read back with Node's own parser (`util.parseEnv`, what the app reads `.env` with)
 * before it is written.
 */
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
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

// What the edit takes: any keys, not only the registration's.
type AnyEnvChanges = Readonly<Record<string, string | null | undefined>>;

/** How {@link updateEnvFile} edits. */
export interface EnvEditOptions {
  /** Copy the file to a timestamped backup first (default); off for a file a tool writes. */
  readonly backup?: boolean;
  /** A removed key's lines are kept, commented out with this note, instead of deleted. */
  readonly removedNote?: string;
}

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/;

/** A `.env` file this tool will not edit; the message says what to change by hand. */
export class EnvFileRefused extends Error {
  override readonly name = 'EnvFileRefused';
}

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
 * Applies `changes` to the `.env` file at `path` (made, with its folder, when there is none),
 * after copying it to a timestamped backup (`.env.backup-…`, ignored by git like `.env`) unless
 * `options.backup` is false. Returns the backup's path, or `null` when there was none: no file
 * yet, no backup asked for, or nothing to change.
 */
export function updateEnvFile(
  path: string,
  changes: AnyEnvChanges,
  now = new Date(),
  options: EnvEditOptions = {},
): string | null {
  const exists = existsSync(path);
  const before = exists ? readFileSync(path, 'utf8') : '';
  const after = applyChanges(before, changes, path, options.removedNote);
  if (after === before) return null;
  let backup: string | null = null;
  if (exists && options.backup !== false) {
    backup = freeBackupName(path, now);
    copyFileSync(path, backup);
    chmodSync(backup, 0o600);
  }
  mkdirSync(dirname(path), { recursive: true });
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

/**
 * Refuses (with {@link EnvFileRefused}) a `.env` file that a line-by-line edit could break: a
 * value over several lines, or one that opens a quote it does not close, which a line added
 * later could end. Run before changing anything elsewhere, so that nothing is left half done.
 */
export function checkEnvFileEditable(path: string): void {
  if (existsSync(path)) checkEditable(readFileSync(path, 'utf8'), path);
}

/**
 * The text of a `.env` file with `changes` made: lines edited in place, new keys appended, removed
 * keys' lines dropped (or, with `removedNote`, commented out with it). Throws
 * {@link EnvFileRefused} when the file cannot be edited line by line, or when the result would not
 * read back as the old settings with exactly these changes.
 */
export function applyChanges(
  text: string,
  changes: AnyEnvChanges,
  file = '.env',
  removedNote?: string,
): string {
  checkEditable(text, file);
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const written = new Set<string>();
  const out: string[] = [];
  for (const line of lines) {
    const key = ASSIGNMENT.exec(line)?.[1];
    if (key === undefined || !Object.hasOwn(changes, key)) {
      out.push(line);
      continue;
    }
    const value = changes[key];
    // null removes the key; a key set on several lines keeps one line, with the new value.
    if (value === null && removedNote !== undefined) out.push(`# ${line}  (${removedNote})`);
    if (value === null || value === undefined || written.has(key)) continue;
    out.push(`${key}=${quote(key, value)}`);
    written.add(key);
  }
  for (const [key, value] of Object.entries(changes)) {
    if (typeof value === 'string' && !written.has(key)) out.push(`${key}=${quote(key, value)}`);
  }
  const after = out.length === 0 ? '' : `${out.join('\n')}\n`;
  checkReadsBack(text, changes, after, file);
  return after;
}

function checkEditable(text: string, file: string): void {
  const key = findMultiLineKey(text);
  if (key === undefined) return;
  throw new EnvFileRefused(
    `${file} cannot be edited safely: the value of ${key} spans several lines (or opens a quote it does not close), and this command edits the file line by line. Edit ${file} by hand: put ${key} on one line (inside double quotes a line break is written \\n), or make the changes yourself, then run the command again.`,
  );
}

// The key of the first value that a line-by-line reading gets wrong, if any.
function findMultiLineKey(text: string): string | undefined {
  const lineByLine: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const [, key, value = ''] = ASSIGNMENT.exec(line) ?? [];
    if (key !== undefined && opensUnclosedQuote(value)) return key;
    Object.assign(lineByLine, parseEnv(line));
  }
  const whole = parseEnv(text);
  return (
    Object.keys(whole).find((key) => whole[key] !== lineByLine[key]) ??
    Object.keys(lineByLine).find((key) => !Object.hasOwn(whole, key))
  );
}

function opensUnclosedQuote(value: string): boolean {
  const open = value[0];
  return (open === '"' || open === "'" || open === '`') && !value.slice(1).includes(open);
}

// The safety net under the line-by-line edit: Node must read back exactly what was meant.
function checkReadsBack(before: string, changes: AnyEnvChanges, after: string, file: string): void {
  const expected: Record<string, string | null | undefined> = { ...parseEnv(before), ...changes };
  const read: Record<string, string | undefined> = parseEnv(after);
  // A removed key is expected as null, which parseEnv gives as undefined.
  const wrong = [...new Set([...Object.keys(expected), ...Object.keys(read)])].filter(
    (key) => (expected[key] ?? undefined) !== read[key],
  );
  if (wrong.length > 0) {
    throw new EnvFileRefused(
      `${file} cannot be edited safely: after the change, ${wrong.join(', ')} would not read back as meant. Edit ${file} by hand, then run the command again.`,
    );
  }
}

// Node's parser ends an unquoted value at "#" and trims it; inside quotes it has no escapes,
// except that double quotes turn the two characters \n into a line break. So: single quotes,
// which keep everything; else double quotes for a value with ' but no " and no \n; else
// backticks. A value that needs none of them is written bare.
function quote(key: string, value: string): string {
  if (/^[\w.\-~/:@+=,%]*$/.test(value)) return value;
  if (!/[\r\n]/.test(value)) {
    if (!value.includes("'")) return `'${value}'`;
    if (!value.includes('"') && !value.includes('\\n')) return `"${value}"`;
    if (!value.includes('`')) return `\`${value}\``;
  }
  throw new EnvFileRefused(
    `The value for ${key} cannot be written to .env: it holds a line break, or both ' and \` together with " or a backslash followed by n (which .env reads as a line break inside double quotes). Set ${key} in the environment instead.`,
  );
}
