/**
 * The scale scenarios on SQLite: the app's memory while its store holds many sessions and pages
 * are asked for with each of them, and the store's size and look-ups at a million sessions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { signCookieValue } from '../src/core/session/session-cookie.js';
import { indexesOf } from '../src/core/session/session-store.js';
import { SqliteSessionStore } from '../src/stores/sqlite.js';
import { memoryMiB } from './processes.js';
import { percentile } from './scenarios.js';
import { copySession, type SessionSample } from './session-sample.js';

/** The app's resident memory (MiB) around requests made with many different sessions. */
export interface ManySessionsMemory {
  readonly sessions: number;
  /** The peak after as many requests with one session (the control), before the others exist. */
  readonly controlPeak: number;
  /** Before the control, after the requests with every session, and the peak (VmHWM). */
  readonly before: number;
  readonly after: number;
  readonly peak: number;
  /** Answers other than 200 (each request should find its session). */
  readonly failures: number;
}

/** What SQLite measured at `sessions` sessions. */
export interface SqliteScale {
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly fileMiB: number;
  /** The file's pages (page_count × page_size) over the sessions, indexes included. */
  readonly bytesPerSession: number;
  readonly fillSeconds: number;
}

/**
 * Asks the running app for GET /token_details `count` times with one session (`cookie`, the
 * control: what the load itself costs), then writes `count` copies of a real session (each
 * another person) into its SQLite file and asks for the page once with each of them, 32
 * connections, every request another session; reads the app's resident memory before, after
 * the control and at the end. The cookies are signed with the app's own secret, as the app
 * would sign them.
 */
export async function measureManySessions(options: {
  appUrl: string;
  pid: number;
  dbFile: string;
  sample: SessionSample;
  secret: string;
  cookie: string;
  cookieName: string;
  count: number;
}): Promise<ManySessionsMemory> {
  const url = `${options.appUrl}/token_details`;
  const before = memoryMiB(options.pid).rss;
  const control = await autocannon({
    url,
    connections: 32,
    amount: options.count,
    headers: { cookie: options.cookie },
  });
  const controlPeak = memoryMiB(options.pid).peak;
  const db = new Database(options.dbFile, { fileMustExist: true });
  const cookies: string[] = [];
  try {
    // The app has the file open too: WAL mode lets this process write while it reads.
    db.pragma('busy_timeout = 5000');
    const write = rowWriter(db);
    const now = Date.now();
    write(options.count, (i) => {
      const copy = copySession(options.sample, i, now);
      cookies.push(
        `${options.cookieName}=${encodeURIComponent(signCookieValue(copy.id, [options.secret]))}`,
      );
      return copy;
    });
  } finally {
    db.close();
  }
  let next = 0;
  const result = await autocannon({
    url,
    connections: 32,
    amount: cookies.length,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({ ...request, headers: { cookie: cookies[next++] ?? '' } }),
      },
    ],
  });
  const { rss, peak } = memoryMiB(options.pid);
  return {
    sessions: options.count,
    controlPeak,
    before,
    after: rss,
    peak,
    failures: control.non2xx + control.errors + result.non2xx + result.errors,
  };
}

/**
 * Fills a SQLite session file with `count` copies of a real session (token record included),
 * measures its size per session, then times `lookups` random `get`s through the store (the
 * app's own code path, JSON parsing included).
 */
export async function measureSqliteLookups(options: {
  count: number;
  lookups: number;
  sample: SessionSample;
}): Promise<SqliteScale> {
  const dir = mkdtempSync(join(tmpdir(), 'entra-signin-bench-sqlite-'));
  const file = join(dir, 'sessions.db');
  try {
    await new SqliteSessionStore(file).close();
    const now = Date.now();
    const keys: string[] = [];
    const fillStart = performance.now();
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    const every = Math.ceil(options.count / options.lookups);
    rowWriter(db)(options.count, (i) => {
      const copy = copySession(options.sample, i, now);
      if (i % every === 0) keys.push(copy.key);
      return copy;
    });
    db.pragma('wal_checkpoint(TRUNCATE)');
    const pages = db.prepare('PRAGMA page_count').pluck().get() as number;
    const pageSize = db.prepare('PRAGMA page_size').pluck().get() as number;
    db.close();
    const fillSeconds = (performance.now() - fillStart) / 1000;

    const store = new SqliteSessionStore(file);
    const timings: number[] = [];
    for (let i = 0; i < keys.length; i += 1) {
      const key = keys[(i * 7919) % keys.length] ?? '';
      const t0 = performance.now();
      const session = await store.get(key, now);
      timings.push(performance.now() - t0);
      if (session === null) throw new Error('a stored session was not found');
    }
    await store.close();
    timings.sort((a, b) => a - b);
    return {
      p50Ms: percentile(timings, 0.5),
      p99Ms: percentile(timings, 0.99),
      fileMiB: (pages * pageSize) / 2 ** 20,
      bytesPerSession: (pages * pageSize) / options.count,
      fillSeconds,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Writing row by row through the store would take minutes; one transaction per 100,000 rows
// writes the same table, the same columns and indexes, that the store then reads.
function rowWriter(db: Database.Database) {
  const insert = db.prepare(
    `INSERT INTO sessions (key, data, user_key, provider_sid, created_at, refreshed_at, expires_at, absolute_expires_at, tokens)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return (count: number, copyOf: (i: number) => ReturnType<typeof copySession>) => {
    const fill = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i += 1) {
        const { key, session, tokens } = copyOf(i);
        const { userKey, providerSid } = indexesOf(session);
        insert.run(
          key,
          JSON.stringify(session.data),
          userKey,
          providerSid,
          session.createdAt,
          session.refreshedAt,
          session.expiresAt,
          session.absoluteExpiresAt,
          tokens,
        );
      }
    });
    for (let from = 0; from < count; from += 100_000) fill(from, Math.min(count, from + 100_000));
  };
}
