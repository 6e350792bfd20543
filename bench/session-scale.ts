/** The scale scenarios: the app's memory with many sessions, and SQLite look-ups among many. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { generateSessionId, sessionKeyFor } from '../src/core/session/session-id.js';
import { SqliteSessionStore } from '../src/stores/sqlite.js';
import { memoryMiB } from './processes.js';
import { percentile } from './scenarios.js';

/** Resident memory of the app (MiB) before and after `count` requests to `path`. */
export interface MemoryGrowth {
  readonly before: number;
  readonly after: number;
  readonly peak: number;
  /** Sign-ins started (302 from /auth/sign_in); 0 for the control. */
  readonly created: number;
}

/**
 * Sends `count` requests to `path` at 32 connections and reads the app's resident memory before,
 * at its peak and after. Each GET /auth/sign_in starts a sign-in; since issue 10 the attempt
 * lives in a sealed cookie and the store gets nothing, so this measures what anonymous sign-in
 * traffic costs the app. GET / is the control: the memory the load itself costs. (What signed-in
 * sessions cost in memory needs completed sign-ins: TODO issue 13.)
 */
export async function measureMemoryGrowth(options: {
  appUrl: string;
  pid: number;
  path: '/auth/sign_in' | '/';
  count: number;
}): Promise<MemoryGrowth> {
  const url = `${options.appUrl}${options.path}`;
  await autocannon({ url, connections: 32, amount: 2_000 });
  const before = memoryMiB(options.pid).rss;
  const result = await autocannon({ url, connections: 32, amount: options.count });
  const { rss, peak } = memoryMiB(options.pid);
  const created = options.path === '/' ? 0 : (result.statusCodeStats?.['302']?.count ?? 0);
  return { before, after: rss, peak, created };
}

/**
 * Fills a SQLite session file with `count` signed-in sessions of a realistic size, then times
 * `lookups` random `get`s through the store (the app's own code path, JSON parsing included).
 */
export async function measureSqliteLookups(options: {
  count: number;
  lookups: number;
}): Promise<{ p50Ms: number | null; p99Ms: number | null; fileMiB: number; fillSeconds: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'entra-signin-bench-sqlite-'));
  const file = join(dir, 'sessions.db');
  try {
    await new SqliteSessionStore(file).close();
    const now = Date.now();
    const data = JSON.stringify({
      user: {
        key: 'entra:tenant:person',
        name: 'Alice Bench',
        claims: { name: 'Alice Bench', email: 'alice@bench.test', tid: 't', oid: 'o', ver: '2.0' },
        // An ID token is about a kilobyte.
        idToken: randomBytes(700).toString('base64url'),
        signedInAt: now,
      },
      attempts: [],
      csrfSecret: randomBytes(18).toString('base64url'),
    });
    const keys: string[] = [];
    const fillStart = performance.now();
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    const insert = db.prepare(
      `INSERT INTO sessions (key, data, user_key, provider_sid, created_at, refreshed_at, expires_at, absolute_expires_at)
       VALUES (?, ?, ?, NULL, ?, ?, ?, ?)`,
    );
    // Filling row by row through the store would take minutes; one transaction per 100,000 rows
    // writes the same table the store then reads.
    const fill = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i += 1) {
        const key = sessionKeyFor(generateSessionId());
        if (i % Math.ceil(options.count / options.lookups) === 0) keys.push(key);
        insert.run(key, data, `entra:tenant:${i}`, now, now, now + 3_600_000, now + 43_200_000);
      }
    });
    for (let from = 0; from < options.count; from += 100_000) {
      fill(from, Math.min(options.count, from + 100_000));
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
    const fileMiB = ((db.prepare('PRAGMA page_count').pluck().get() as number) * 4096) / 2 ** 20;
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
      fileMiB,
      fillSeconds,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
