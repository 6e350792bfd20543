/**
 * Signed-in sessions for the scenarios, and a look at what the app's SQLite store keeps beside
 * them (the sealed API token record of each session).
 */
import Database from 'better-sqlite3';
import { sessionKeyFor } from '../src/core/session/session-id.js';
import { signInOnce } from './scenarios.js';

/** `count` complete sign-ins, one after another: their session cookies (`name=value`). */
export async function signInMany(appUrl: string, count: number): Promise<string[]> {
  const cookies: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const outcome = await signInOnce(appUrl);
    if (!outcome.ok) throw new Error(`A sign-in failed (status ${outcome.status})`);
    cookies.push(outcome.cookie);
  }
  return cookies;
}

/** The length of the sealed token record stored with this cookie's session, or `null`. */
export function tokenRecordLength(dbFile: string, cookie: string): number | null {
  return withStore(dbFile, (db) => {
    const row = db.prepare('SELECT tokens FROM sessions WHERE key = ?').get(storeKeyOf(cookie)) as
      { tokens: string | null } | undefined;
    if (row === undefined) throw new Error('The session is not in the store');
    return row.tokens?.length ?? null;
  });
}

/** Removes the token record of this cookie's session from the store; the session stays. */
export function dropTokenRecord(dbFile: string, cookie: string): void {
  withStore(dbFile, (db) => {
    const { changes } = db
      .prepare('UPDATE sessions SET tokens = NULL WHERE key = ?')
      .run(storeKeyOf(cookie));
    if (changes !== 1) throw new Error('The session is not in the store');
  });
}

/**
 * Fetches `/profile` with this session and throws unless the page shows what only Graph knows
 * (the job title of bench/fake-graph.ts) and found the photo; resolves with the page's size.
 */
export async function checkProfilePage(appUrl: string, cookie: string): Promise<number> {
  const response = await fetch(`${appUrl}/profile`, { headers: { cookie }, redirect: 'manual' });
  const body = await response.text();
  if (
    response.status !== 200 ||
    !body.includes('Benchmark Engineer') ||
    !body.includes('src="/profile/photo"')
  ) {
    throw new Error(`GET /profile did not show the Graph fake's profile and photo: ${body}`);
  }
  return Buffer.byteLength(body);
}

// The session cookie is `name=id.signature`; the store keys a session by a hash of its id.
function storeKeyOf(cookie: string): string {
  const value = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));
  return sessionKeyFor(value.slice(0, value.lastIndexOf('.')));
}

// The app has the file open too: SQLite's WAL mode lets another process read and write it.
function withStore<T>(dbFile: string, work: (db: Database.Database) => T): T {
  const db = new Database(dbFile, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return work(db);
  } finally {
    db.close();
  }
}
