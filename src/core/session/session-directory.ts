import { personOf } from '../signed-in-person.js';
import { describeDevice } from './device.js';
import type { SessionHandles } from './session-handle.js';
import type { ActiveSession, SessionManager } from './session-manager.js';
import type { KeyedSession, SignedInUser } from './session-store.js';

/** One of a person's sessions, as the "where you're signed in" page shows it. */
export interface OwnSession {
  /** Names the session in forms and audit events; neither its id nor its store key. */
  readonly handle: string;
  /** Whether this is the session of the request that asked. */
  readonly current: boolean;
  readonly browser: string;
  readonly os: string;
  /** The address at sign-in, when the adapter knew it. */
  readonly address: string | null;
  readonly signedInAt: number;
  /**
   * When the session was last used, to within a tenth of the idle timeout (the store is written
   * at most that often; see `SessionManager`).
   */
  readonly lastActiveAt: number;
}

/** A person with live sessions, for an administrator's overview. */
export interface PersonWithSessions {
  readonly key: string;
  readonly name: string;
  readonly username: string | undefined;
  readonly sessions: number;
  readonly lastActiveAt: number;
}

/** What ending sessions did: how many, and their handles (for the audit trail). */
export interface EndedSessions {
  /** Whose they were, as the newest of them said; `null` when none was live. */
  readonly user: SignedInUser | null;
  readonly count: number;
  readonly handles: readonly string[];
}

/**
 * A person's sessions, listed and ended through the store's person index. Every change starts
 * from the listing of the person who asks, so a handle acts only on a session of theirs: someone
 * else's handle (or a made-up one) matches nothing.
 */
export class SessionDirectory {
  readonly #sessions: SessionManager;
  readonly #handles: SessionHandles;

  constructor(sessions: SessionManager, handles: SessionHandles) {
    this.#sessions = sessions;
    this.#handles = handles;
  }

  /** The handle of a session. */
  handleOf(session: ActiveSession): string {
    return this.#handles.of(this.#sessions.keyOf(session));
  }

  /** The person's live sessions, newest first, the current one marked. */
  async list(session: ActiveSession): Promise<OwnSession[]> {
    const currentKey = this.#sessions.keyOf(session);
    const listed = await this.#sessions.listFor(session.data.user.key);
    return listed.map(({ key, session: stored }) => {
      const device = stored.data.device;
      return {
        handle: this.#handles.of(key),
        current: key === currentKey,
        ...describeDevice(device?.userAgent),
        address: device?.address ?? null,
        signedInAt: stored.createdAt,
        lastActiveAt: stored.refreshedAt,
      };
    });
  }

  /**
   * Ends the person's session named by `handle`, unless it is the current one (that one signs
   * out through the sign-out route, which also ends the provider's session). `null` when the
   * handle names none of the person's other sessions.
   */
  async endOne(session: ActiveSession, handle: string): Promise<string | null> {
    const found = (await this.#others(session)).find(({ key }) => this.#handles.of(key) === handle);
    if (found === undefined) return null;
    await this.#sessions.endKey(found.key);
    return handle;
  }

  /** Ends every session of the person but the current one; their handles. */
  async endOthers(session: ActiveSession): Promise<string[]> {
    const others = await this.#others(session);
    await Promise.all(others.map(({ key }) => this.#sessions.endKey(key)));
    return others.map(({ key }) => this.#handles.of(key));
  }

  /** People with live sessions, most recently active first (at most `limit` people). */
  async people(limit: number): Promise<PersonWithSessions[]> {
    const keys = await this.#sessions.listPeople(limit);
    const people = await Promise.all(
      keys.map(async (userKey) => summaryOf(await this.#sessions.listFor(userKey))),
    );
    return people
      .filter((person): person is PersonWithSessions => person !== null)
      .sort((a, b) => b.lastActiveAt - a.lastActiveAt);
  }

  /** One person's sessions, summed up; `null` when they have none live. */
  async person(userKey: string): Promise<PersonWithSessions | null> {
    return summaryOf(await this.#sessions.listFor(userKey));
  }

  /** Ends every session of one person (an administrator's action); their handles. */
  async endAllOf(userKey: string): Promise<EndedSessions> {
    const listed = await this.#sessions.listFor(userKey);
    // deleteByUser also catches a session made between the listing and now, so its count is
    // the one to report.
    const count = await this.#sessions.endAllFor(userKey);
    return {
      user: listed[0]?.session.data.user ?? null,
      count,
      handles: listed.map(({ key }) => this.#handles.of(key)),
    };
  }

  async #others(session: ActiveSession): Promise<KeyedSession[]> {
    const currentKey = this.#sessions.keyOf(session);
    const listed = await this.#sessions.listFor(session.data.user.key);
    return listed.filter(({ key }) => key !== currentKey);
  }
}

function summaryOf(listed: readonly KeyedSession[]): PersonWithSessions | null {
  const newest = listed[0];
  if (newest === undefined) return null;
  const { key, name, username } = personOf(newest.session.data.user);
  return {
    key,
    name,
    username,
    sessions: listed.length,
    lastActiveAt: Math.max(...listed.map(({ session }) => session.refreshedAt)),
  };
}
