import type { ErrorCode } from './errors.js';

/** Who an event is about: the person's stable key and Entra's ids, never a token or claim set. */
export interface EventPerson {
  /** `entra:{tid}:{oid}` for Entra, `oidc:{iss}:{sub}` otherwise (see `SignedInPerson.key`). */
  readonly key: string;
  readonly name: string;
  readonly username: string | undefined;
  readonly oid: string | undefined;
  readonly tid: string | undefined;
}

/** What every event carries: when, which request (its correlation id), and from where. */
export interface EventContext {
  /** Milliseconds since the epoch. */
  readonly at: number;
  /** The request id that the request's log lines and error page show; '' when there was none. */
  readonly requestId: string;
  /** The client's address as the adapter saw it (behind a proxy, as far as it is trusted). */
  readonly address: string | null;
  readonly userAgent: string | null;
}

/** Who ended sessions: a logout channel, the provider's refresh, the person, or an administrator. */
export type EndedBy = 'front-channel' | 'back-channel' | 'refresh' | 'person' | 'admin';

/**
 * What happened, for a host app's audit trail or metrics (the `onEvent` option), and logged by
 * the library as one line each (`msg: 'audit'`). Events carry no token, code or cookie; a session
 * is named by its opaque handle (the one the "where you're signed in" page shows).
 */
export type SignInEvent = EventContext &
  (
    | {
        readonly type: 'signed-in';
        readonly person: EventPerson;
        readonly session: string;
      }
    | {
        readonly type: 'sign-in-failed';
        readonly code: ErrorCode;
        readonly providerCode: string | undefined;
      }
    | {
        readonly type: 'signed-out';
        readonly person: EventPerson;
        readonly session: string;
      }
    | {
        readonly type: 'sessions-ended';
        readonly endedBy: EndedBy;
        /** How many sessions ended. */
        readonly count: number;
        /** Whose sessions ended, when one person's (not for a logout channel's `sid`). */
        readonly person: EventPerson | null;
        /** The handles of the sessions ended, when known. */
        readonly sessions: readonly string[];
        /** The administrator (or the person themself) who ended them, when a person did. */
        readonly actor: EventPerson | null;
      }
    | {
        readonly type: 'session-end-refused';
        /** Someone posted a handle that is none of their sessions (another person's, or made up). */
        readonly person: EventPerson;
        readonly session: string;
      }
    | {
        readonly type: 'access-denied';
        readonly status: 401 | 403;
        /** The path asked for (without its query). */
        readonly path: string;
        /** Who was refused (`null` when signed out). */
        readonly person: EventPerson | null;
        readonly session: string | null;
        /** What the rule missed (`role Admin`, `group Staff`), for a 403. */
        readonly missing: string | null;
      }
  );

/** The type names of {@link SignInEvent}. */
export type SignInEventType = SignInEvent['type'];
