import { chmodSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteSessionStore } from '../../src/stores/sqlite.js';
import { describeSessionStoreContract, storedSession } from '../../src/stores/store-contract.js';
import type { StoredSession } from '../../src/core/session/session-store.js';

const newFile = () => join(mkdtempSync(join(tmpdir(), 'sessions-')), 's.db');

describeSessionStoreContract('sqlite', () => new SqliteSessionStore(newFile()));

describe('SqliteSessionStore', () => {
  it('keeps sessions across a reopen of the file', async () => {
    const file = newFile();
    const session = storedSession();
    const first = new SqliteSessionStore(file);
    await first.set('key', session);
    await first.close();
    const second = new SqliteSessionStore(file);
    expect(await second.get('key', session.createdAt)).toEqual(session);
    await second.close();
  });

  it('lets two open stores on one file see each other’s writes, as two processes do', async () => {
    const file = newFile();
    const [writer, reader] = [new SqliteSessionStore(file), new SqliteSessionStore(file)];
    const session = storedSession();
    await writer.set('key', session);
    expect(await reader.get('key', session.createdAt)).toEqual(session);
    await reader.delete('key');
    expect(await writer.get('key', session.createdAt)).toBeNull();
    await Promise.all([writer.close(), reader.close()]);
  });

  it('reads the new data of a session that another process replaced after a first read', async () => {
    const file = newFile();
    const [writer, reader] = [new SqliteSessionStore(file), new SqliteSessionStore(file)];
    const session = storedSession();
    await writer.set('key', session);
    expect(await reader.get('key', session.createdAt)).toEqual(session);
    const replaced = { ...session, data: { ...session.data, app: { theme: 'dark' } } };
    expect(await writer.replace('key', replaced, session.createdAt)).toBe(true);
    expect(await reader.get('key', session.createdAt)).toEqual(replaced);
    await writer.delete('key');
    expect(await reader.get('key', session.createdAt)).toBeNull();
    await Promise.all([writer.close(), reader.close()]);
  });

  it('counts the expired sessions it purges', async () => {
    const store = new SqliteSessionStore(newFile());
    const session = storedSession();
    await store.set('expired', session);
    await store.set('live', { ...session, expiresAt: session.expiresAt + 1000 });
    expect(await store.purgeExpired(session.expiresAt)).toBe(1);
    await store.close();
  });

  it('keeps the tokens in the last column, which a look-up of the session never reads', async () => {
    const file = newFile();
    await new SqliteSessionStore(file).close();
    const db = new Database(file);
    expect(columnsOf(db).at(-1)).toBe('tokens');
    db.close();
  });

  it('records its schema version and refuses a file from a newer version', async () => {
    const file = newFile();
    await new SqliteSessionStore(file).close();
    const db = new Database(file);
    expect(db.prepare('SELECT version FROM schema_version').get()).toEqual({ version: 3 });
    db.prepare('UPDATE schema_version SET version = 99').run();
    db.close();
    expect(() => new SqliteSessionStore(file)).toThrow(/newer version of entra-signin/);
  });
});

describe('SqliteSessionStore file modes', () => {
  const modeOf = (path: string) => statSync(path).mode & 0o777;

  // Regression: sessions.db and its -wal/-shm were created 0644, though rows hold ID tokens,
  // claims and CSRF secrets.
  it('creates its folder 0700 and the database, -wal and -shm 0600', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sessions-')), 'data');
    const file = join(dir, 'sessions.db');
    const store = new SqliteSessionStore(file);
    await store.set('key', storedSession());
    expect(modeOf(dir)).toBe(0o700);
    expect([file, `${file}-wal`, `${file}-shm`].map(modeOf)).toEqual([0o600, 0o600, 0o600]);
    await store.close();
  });

  it('narrows a database and -wal/-shm left world-readable by an earlier version', async () => {
    const file = newFile();
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    old.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    for (const f of [file, `${file}-wal`, `${file}-shm`]) chmodSync(f, 0o644);
    const store = new SqliteSessionStore(file);
    await store.set('key', storedSession());
    expect([file, `${file}-wal`, `${file}-shm`].map(modeOf)).toEqual([0o600, 0o600, 0o600]);
    await store.close();
    old.close();
  });

  it('keeps them 0600 under a umask that would let anyone read new files', async () => {
    const previous = process.umask(0o000);
    try {
      const file = newFile();
      const store = new SqliteSessionStore(file);
      await store.set('key', storedSession());
      expect([file, `${file}-wal`, `${file}-shm`].map(modeOf)).toEqual([0o600, 0o600, 0o600]);
      await store.close();
    } finally {
      process.umask(previous);
    }
  });
});

describe('SqliteSessionStore migrations', () => {
  // The table of schema version 1 (WITHOUT ROWID), as its first files had it: no provider_sid.
  const VERSION_1 = `
    CREATE TABLE schema_version (version INTEGER NOT NULL);
    INSERT INTO schema_version VALUES (1);
    CREATE TABLE sessions (
      key TEXT PRIMARY KEY, data TEXT NOT NULL, user_key TEXT, created_at INTEGER NOT NULL,
      refreshed_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, absolute_expires_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX sessions_expires_at ON sessions (expires_at);
    CREATE INDEX sessions_user_key ON sessions (user_key) WHERE user_key IS NOT NULL;`;

  const VERSION_2 = `
    CREATE TABLE schema_version (version INTEGER NOT NULL);
    INSERT INTO schema_version VALUES (2);
    CREATE TABLE sessions (
      key TEXT PRIMARY KEY, data TEXT NOT NULL, user_key TEXT, provider_sid TEXT,
      created_at INTEGER NOT NULL, refreshed_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
      absolute_expires_at INTEGER NOT NULL
    );`;

  /** A file of an older schema holding one session under `kept` (`sid` as version 2 keeps it). */
  function olderFile(schema: string, session: StoredSession, sid?: string): string {
    const file = newFile();
    const db = new Database(file);
    db.exec(schema);
    const values = [
      'kept',
      JSON.stringify(session.data),
      session.data.user.key,
      ...(sid === undefined ? [] : [sid]),
      session.createdAt,
      session.refreshedAt,
      session.expiresAt,
      session.absoluteExpiresAt,
    ];
    db.prepare(`INSERT INTO sessions VALUES (${values.map(() => '?').join(', ')})`).run(...values);
    db.close();
    return file;
  }

  it('moves the sessions of a version 1 file to the current version, indexes included', async () => {
    const session = storedSession({ sid: 'sid-from-claims' });
    const file = olderFile(VERSION_1, session);

    const store = new SqliteSessionStore(file);
    expect(await store.get('kept', session.createdAt)).toEqual(session);
    expect(await store.deleteByProviderSid('sid-from-claims')).toBe(1);
    await store.close();
    const after = new Database(file);
    expect(after.prepare('SELECT version FROM schema_version').get()).toEqual({ version: 3 });
    after.close();
  });

  it('adds the token column to a version 2 file, keeping its sessions (with no tokens)', async () => {
    const session = storedSession({ sid: 'sid-2' });
    const file = olderFile(VERSION_2, session, 'sid-2');

    const store = new SqliteSessionStore(file);
    expect(await store.get('kept', session.createdAt)).toEqual(session);
    expect(await store.getTokens('kept', session.createdAt)).toBeNull();
    expect(await store.setTokens('kept', 'sealed', session.createdAt)).toBe(true);
    expect(await store.getTokens('kept', session.createdAt)).toBe('sealed');
    await store.close();
    const after = new Database(file);
    expect(after.prepare('SELECT version FROM schema_version').get()).toEqual({ version: 3 });
    expect(columnsOf(after).at(-1)).toBe('tokens');
    after.close();
  });
});

function columnsOf(db: Database.Database): unknown[] {
  return db.prepare("SELECT name FROM pragma_table_info('sessions')").pluck().all();
}
