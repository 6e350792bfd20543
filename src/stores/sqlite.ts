import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  indexesOf,
  type KeyedSession,
  type SessionStore,
  type StoredSession,
} from '../core/session/session-store.js';

/** Bump when the table changes, and add the migration from the previous version. */
const SCHEMA_VERSION = 3;

interface Row {
  data: string;
  created_at: number;
  refreshed_at: number;
  expires_at: number;
  absolute_expires_at: number;
}

const SESSION_COLUMNS = 'data, created_at, refreshed_at, expires_at, absolute_expires_at';

// How many parsed sessions `get` keeps for reuse (see ParsedData).
const PARSED_SESSIONS = 1_000;

/**
 * The data of the sessions read last, parsed, with the exact text it was parsed from. Every read
 * still asks the database, which alone says whether a session lives (an end elsewhere counts at
 * once); only parsing the same text again is saved, a measurable share of a signed-in page's
 * CPU time. The objects are shared between reads, as the memory store shares its own.
 */
class ParsedData {
  readonly #entries = new Map<string, { text: string; data: StoredSession['data'] }>();

  of(key: string, text: string): StoredSession['data'] {
    const known = this.#entries.get(key);
    if (known?.text === text) return known.data;
    const data = parseData(text);
    this.#entries.delete(key);
    if (this.#entries.size >= PARSED_SESSIONS) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { text, data });
    return data;
  }

  forget(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}

/**
 * Keeps sessions in a SQLite file (better-sqlite3), so they survive restarts and several
 * processes on one machine can share them. WAL mode lets readers and one writer work at once.
 */
export class SqliteSessionStore implements SessionStore {
  readonly #db: Database.Database;
  readonly #get: Database.Statement<[string, number], Row>;
  readonly #set: Database.Statement<
    [string, string, string | null, string | null, number, number, number, number, string | null]
  >;
  readonly #getTokens: Database.Statement<[string, number], { tokens: string | null }>;
  readonly #setTokens: Database.Statement<[string | null, string, number]>;
  readonly #replace: Database.Statement<
    [string, string | null, number, number, number, number, string, number, string | null]
  >;
  readonly #touch: Database.Statement<[number, number, string]>;
  readonly #delete: Database.Statement<[string]>;
  readonly #deleteByUser: Database.Statement<[string]>;
  readonly #listByUser: Database.Statement<[string, number, number], Row & { key: string }>;
  readonly #listUsers: Database.Statement<[number, number, number], string>;
  readonly #deleteByProviderSid: Database.Statement<[string]>;
  readonly #purge: Database.Statement<[number]>;
  readonly #markUsed: Database.Statement<[string, number, number]>;
  readonly #forgetUsed: Database.Statement<[string]>;
  readonly #purgeUsed: Database.Statement<[number]>;
  readonly #parsed = new ParsedData();

  constructor(path: string) {
    if (path !== ':memory:') prepareOwnerOnlyFile(path);
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    // Another process may hold the write lock for a moment; wait instead of failing at once.
    this.#db.pragma('busy_timeout = 5000');
    migrate(this.#db);
    this.#get = this.#db.prepare(
      `SELECT ${SESSION_COLUMNS} FROM sessions WHERE key = ? AND expires_at > ?`,
    );
    this.#set = this.#db.prepare(
      `INSERT INTO sessions (key, data, user_key, provider_sid, created_at, refreshed_at, expires_at, absolute_expires_at, tokens)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET data = excluded.data, user_key = excluded.user_key,
         provider_sid = excluded.provider_sid,
         created_at = excluded.created_at, refreshed_at = excluded.refreshed_at,
         expires_at = excluded.expires_at, absolute_expires_at = excluded.absolute_expires_at,
         tokens = COALESCE(excluded.tokens, sessions.tokens)`,
    );
    // The tokens are the row's last column and are read by these two alone: a page that calls
    // no API reads the columns before them, and SQLite leaves the overflow pages unread.
    this.#getTokens = this.#db.prepare(
      'SELECT tokens FROM sessions WHERE key = ? AND expires_at > ?',
    );
    this.#setTokens = this.#db.prepare(
      'UPDATE sessions SET tokens = ? WHERE key = ? AND expires_at > ?',
    );
    // Only a live row of the same person: a session ended meanwhile stays ended.
    this.#replace = this.#db.prepare(
      `UPDATE sessions SET data = ?, provider_sid = ?, created_at = ?, refreshed_at = ?,
         expires_at = ?, absolute_expires_at = ?
       WHERE key = ? AND expires_at > ? AND user_key IS ?`,
    );
    this.#touch = this.#db.prepare(
      'UPDATE sessions SET refreshed_at = ?, expires_at = ? WHERE key = ?',
    );
    this.#delete = this.#db.prepare('DELETE FROM sessions WHERE key = ?');
    this.#deleteByUser = this.#db.prepare('DELETE FROM sessions WHERE user_key = ?');
    // user_key is written from the row's own data on every set, so a row found by it belongs to
    // that person now: no stale index to check, unlike Redis.
    this.#listByUser = this.#db.prepare(
      `SELECT key, ${SESSION_COLUMNS} FROM sessions
       WHERE user_key = ? AND expires_at > ? AND absolute_expires_at > ?
       ORDER BY created_at DESC`,
    );
    this.#listUsers = this.#db
      .prepare<[number, number, number], string>(
        `SELECT DISTINCT user_key FROM sessions
         WHERE user_key IS NOT NULL AND expires_at > ? AND absolute_expires_at > ? LIMIT ?`,
      )
      .pluck();
    this.#deleteByProviderSid = this.#db.prepare('DELETE FROM sessions WHERE provider_sid = ?');
    this.#purge = this.#db.prepare('DELETE FROM sessions WHERE expires_at <= ?');
    // Inserted, or taken over once expired, in one statement: of two instances recording the
    // same value at once, exactly one sees a change.
    this.#markUsed = this.#db.prepare(
      `INSERT INTO used_values (key, expires_at) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at
       WHERE used_values.expires_at <= ?`,
    );
    this.#forgetUsed = this.#db.prepare('DELETE FROM used_values WHERE key = ?');
    this.#purgeUsed = this.#db.prepare('DELETE FROM used_values WHERE expires_at <= ?');
  }

  get(key: string, now: number): Promise<StoredSession | null> {
    return attempt(() => {
      const row = this.#get.get(key, now);
      return row ? sessionOf(row, this.#parsed.of(key, row.data)) : null;
    });
  }

  set(key: string, session: StoredSession, tokens?: string): Promise<void> {
    const { userKey, providerSid } = indexesOf(session);
    return attempt(() => {
      this.#set.run(
        key,
        JSON.stringify(session.data),
        userKey,
        providerSid,
        session.createdAt,
        session.refreshedAt,
        session.expiresAt,
        session.absoluteExpiresAt,
        tokens ?? null,
      );
    });
  }

  replace(key: string, session: StoredSession, now: number): Promise<boolean> {
    const { userKey, providerSid } = indexesOf(session);
    return attempt(
      () =>
        this.#replace.run(
          JSON.stringify(session.data),
          providerSid,
          session.createdAt,
          session.refreshedAt,
          session.expiresAt,
          session.absoluteExpiresAt,
          key,
          now,
          userKey,
        ).changes === 1,
    );
  }

  getTokens(key: string, now: number): Promise<string | null> {
    return attempt(() => this.#getTokens.get(key, now)?.tokens ?? null);
  }

  setTokens(key: string, tokens: string | null, now: number): Promise<boolean> {
    return attempt(() => this.#setTokens.run(tokens, key, now).changes === 1);
  }

  touch(key: string, refreshedAt: number, expiresAt: number): Promise<void> {
    return attempt(() => {
      this.#touch.run(refreshedAt, expiresAt, key);
    });
  }

  delete(key: string): Promise<void> {
    this.#parsed.forget(key);
    return attempt(() => {
      this.#delete.run(key);
    });
  }

  deleteByUser(userKey: string): Promise<number> {
    return attempt(() => this.#deleteByUser.run(userKey).changes);
  }

  listByUser(userKey: string, now: number): Promise<KeyedSession[]> {
    return attempt(() =>
      this.#listByUser
        .all(userKey, now, now)
        .map((row) => ({ key: row.key, session: sessionOf(row, parseData(row.data)) })),
    );
  }

  listUsers(now: number, limit: number): Promise<string[]> {
    // SQLite reads a negative LIMIT as "no limit".
    return attempt(() => this.#listUsers.all(now, now, Math.max(0, limit)));
  }

  deleteByProviderSid(providerSid: string): Promise<number> {
    return attempt(() => this.#deleteByProviderSid.run(providerSid).changes);
  }

  markUsed(key: string, expiresAt: number, now: number): Promise<boolean> {
    return attempt(() => this.#markUsed.run(key, expiresAt, now).changes === 1);
  }

  forgetUsed(key: string): Promise<void> {
    return attempt(() => {
      this.#forgetUsed.run(key);
    });
  }

  purgeExpired(now: number): Promise<number> {
    return attempt(() => {
      this.#purgeUsed.run(now);
      return this.#purge.run(now).changes;
    });
  }

  close(): Promise<void> {
    this.#parsed.clear();
    return attempt(() => {
      this.#db.close();
    });
  }
}

function parseData(text: string): StoredSession['data'] {
  return JSON.parse(text) as StoredSession['data'];
}

function sessionOf(row: Row, data: StoredSession['data']): StoredSession {
  return {
    data,
    createdAt: row.created_at,
    refreshedAt: row.refreshed_at,
    expiresAt: row.expires_at,
    absoluteExpiresAt: row.absolute_expires_at,
  };
}

// Rows hold ID tokens, claims and CSRF secrets: the folder (when we make it) is the owner's only,
// and so are the database and its -wal and -shm files. Those two appear only once SQLite needs
// them, and SQLite creates them with the database file's own permission bits (os_unix.c,
// findCreateFileMode, which fchmods past the umask), so the robust order is: the database file
// 0600 before SQLite opens it (made here when new, narrowed when an older version left it 0644),
// and any -wal/-shm left from before narrowed too; whatever SQLite makes afterwards follows.
function prepareOwnerOnlyFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    // chmod rather than the mode of openSync: that one applies to new files only, less the umask.
    if (existsSync(file)) chmodSync(file, 0o600);
  }
}

// better-sqlite3 is synchronous; a throw becomes a rejection so callers see one error path.
function attempt<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

// Version 2 keeps sessions in an ordinary (rowid) table: rows hold an ID token, a kilobyte or
// more, and SQLite stores rows that large poorly in a WITHOUT ROWID table (version 1): the file
// was twice the size, and writes and look-ups two to three times slower.
const SESSIONS_TABLE = `
  CREATE TABLE sessions (
    key TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    user_key TEXT,
    provider_sid TEXT,
    created_at INTEGER NOT NULL,
    refreshed_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    absolute_expires_at INTEGER NOT NULL,
    tokens TEXT
  );
  CREATE INDEX sessions_expires_at ON sessions (expires_at);
  CREATE INDEX sessions_user_key ON sessions (user_key) WHERE user_key IS NOT NULL;
  CREATE INDEX sessions_provider_sid ON sessions (provider_sid) WHERE provider_sid IS NOT NULL;`;

// Records of values used once (spent sign-in states, logout token ids). A table of its own that
// older versions never read, so adding it needs no schema version.
const USED_VALUES_TABLE =
  'CREATE TABLE IF NOT EXISTS used_values (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)';

function migrate(db: Database.Database): void {
  db.exec(USED_VALUES_TABLE);
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const readVersion = () =>
    (db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined)
      ?.version ?? 0;
  const check = (version: number) => {
    if (version > SCHEMA_VERSION) {
      throw new Error(
        `The session database was written by a newer version of entra-signin (schema ${version}, this one knows ${SCHEMA_VERSION})`,
      );
    }
  };
  check(readVersion());
  if (readVersion() === SCHEMA_VERSION) return;
  // IMMEDIATE takes the write lock before reading the version again: of several processes
  // starting on one file, one migrates and the others then find nothing to do.
  db.transaction(() => {
    const version = readVersion();
    check(version);
    if (version === SCHEMA_VERSION) return;
    if (version === 2) {
      // Version 3 adds the sealed API tokens, last in the row; sessions before it have none.
      db.exec('ALTER TABLE sessions ADD COLUMN tokens TEXT');
    } else if (version === 1) {
      db.exec('ALTER TABLE sessions RENAME TO sessions_v1');
      db.exec(
        'DROP INDEX sessions_expires_at; DROP INDEX IF EXISTS sessions_user_key; DROP INDEX IF EXISTS sessions_provider_sid',
      );
      db.exec(SESSIONS_TABLE);
      // The first files of version 1 had no provider_sid column; the ID token's claims have it.
      const columns = db.prepare("SELECT name FROM pragma_table_info('sessions_v1')").pluck().all();
      const sid = columns.includes('provider_sid')
        ? 'provider_sid'
        : "json_extract(data, '$.user.claims.sid')";
      db.exec(`
        INSERT INTO sessions (key, data, user_key, provider_sid, created_at, refreshed_at, expires_at, absolute_expires_at)
        SELECT key, data, user_key, ${sid}, created_at, refreshed_at, expires_at, absolute_expires_at
        FROM sessions_v1;
        DROP TABLE sessions_v1;`);
    } else {
      db.exec(SESSIONS_TABLE);
    }
    db.exec('DELETE FROM schema_version');
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION);
  }).immediate();
}
