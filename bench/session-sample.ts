/**
 * A session as the app stores it after a real sign-in, read from the app's SQLite file, and
 * copies of it for other people: what the scale scenarios fill the stores with.
 */
import Database from 'better-sqlite3';
import { generateSessionId, sessionKeyFor } from '../src/core/session/session-id.js';
import type { SessionData, StoredSession } from '../src/core/session/session-store.js';

/** One stored session: its data and times, and its sealed token record. */
export interface SessionSample {
  readonly session: StoredSession;
  /** The sealed API token record the sign-in left beside it (`API_SCOPES`), if any. */
  readonly tokens: string | null;
}

/** One copy of the sample: a new session id, its store key, and the session for another person. */
export interface SessionCopy {
  readonly id: string;
  readonly key: string;
  readonly session: StoredSession;
  readonly tokens: string | null;
}

/** The session of this cookie (`name=id.signature`) as the app stored it in `dbFile`. */
export function readSessionSample(dbFile: string, cookie: string): SessionSample {
  const value = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));
  const key = sessionKeyFor(value.slice(0, value.lastIndexOf('.')));
  const db = new Database(dbFile, { fileMustExist: true, readonly: true });
  try {
    const row = db
      .prepare(
        'SELECT data, created_at, refreshed_at, expires_at, absolute_expires_at, tokens FROM sessions WHERE key = ?',
      )
      .get(key) as
      | {
          data: string;
          created_at: number;
          refreshed_at: number;
          expires_at: number;
          absolute_expires_at: number;
          tokens: string | null;
        }
      | undefined;
    if (row === undefined) throw new Error('The signed-in session is not in the store');
    return {
      session: {
        data: JSON.parse(row.data) as SessionData,
        createdAt: row.created_at,
        refreshedAt: row.refreshed_at,
        expiresAt: row.expires_at,
        absoluteExpiresAt: row.absolute_expires_at,
      },
      tokens: row.tokens,
    };
  } finally {
    db.close();
  }
}

/**
 * Copy `i` of the sample, for person `i` (each copy its own person and provider session, as a
 * million people signed in once each would be), its times moved to `now`. The token record is
 * the sample's own: sealed, it is opaque to the store, and a copy has the same length.
 */
export function copySession(sample: SessionSample, i: number, now: number): SessionCopy {
  const id = generateSessionId();
  const { user } = sample.session.data;
  const oid = `b0000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
  const claim = (name: string) => {
    const value = user.claims[name];
    return typeof value === 'string' ? value : '';
  };
  const data: SessionData = {
    ...sample.session.data,
    user: {
      ...user,
      key: user.key.replace(claim('oid'), oid),
      claims: { ...user.claims, oid, sub: oid, sid: i.toString(16).padStart(16, '0') },
      signedInAt: now,
    },
  };
  const { session } = sample;
  return {
    id,
    key: sessionKeyFor(id),
    session: {
      data,
      createdAt: now,
      refreshedAt: now,
      expiresAt: now + (session.expiresAt - session.refreshedAt),
      absoluteExpiresAt: now + (session.absoluteExpiresAt - session.createdAt),
    },
    tokens: sample.tokens,
  };
}
