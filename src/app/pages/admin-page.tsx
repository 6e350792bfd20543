import type { SignInEvent } from '../../core/events.js';
import type { PersonWithSessions } from '../../core/session/session-directory.js';
import { AuditEventsTable } from './audit-events-table.js';
import { renderPage, type PageContext } from './layout.js';
import { approximately, UtcTime } from './utc-time.js';

/** Where the admin page's form posts. */
export const END_SESSIONS_PATH = '/admin/end_sessions';

/** What the admin page shows. */
export interface AdminPageOptions {
  readonly people: readonly PersonWithSessions[];
  readonly events: readonly SignInEvent[];
  /** How many sessions the last action ended (`?ended=N`), if one just did. */
  readonly ended: number | null;
  /** How stale "last active" may be: the store records use at most this often. */
  readonly lastActiveWithinMs: number;
}

function endedText(ended: number): string {
  if (ended === 0) return 'No session was ended: there were none left.';
  return `Ended ${sessionsText(ended)}. ${ended === 1 ? 'That browser is' : 'Those browsers are'} signed out, and the tokens the app kept for them are gone.`;
}

function sessionsText(count: number): string {
  return count === 1 ? '1 session' : `${count} sessions`;
}

/**
 * `GET /admin`: the people with active sessions, each with "End all sessions", and the latest
 * audit events of this process.
 */
export function renderAdminPage(context: PageContext, options: AdminPageOptions): string {
  const csrf = context.csrfToken ?? '';
  return renderPage(
    'Admin',
    context,
    <>
      <h1>Admin</h1>
      {options.ended !== null && (
        <p class="notice" role="status">
          {endedText(options.ended)}
        </p>
      )}
      <section aria-labelledby="people-heading">
        <h2 id="people-heading">People signed in</h2>
        {options.people.length === 0 ? (
          <p>Nobody has an active session.</p>
        ) : (
          <table class="data-table people">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Username</th>
                <th scope="col">Sessions</th>
                <th scope="col">Last active (UTC)</th>
                <th scope="col">
                  <span class="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {options.people.map((person) => (
                <tr key={person.key}>
                  <th scope="row" data-label="Name">
                    {person.name}
                  </th>
                  <td data-label="Username">{person.username ?? '—'}</td>
                  <td data-label="Sessions">{person.sessions}</td>
                  <td data-label="Last active">
                    <UtcTime at={person.lastActiveAt} />
                  </td>
                  <td>
                    <form method="post" action={END_SESSIONS_PATH} class="inline-form">
                      <input type="hidden" name="person" value={person.key} />
                      <input type="hidden" name="csrf_token" value={csrf} />
                      <button
                        type="submit"
                        class="button button-secondary"
                        aria-label={`End all sessions of ${person.name}`}
                      >
                        End all sessions
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p class="muted-note">
          "Last active" is approximate, to within {approximately(options.lastActiveWithinMs)}.
        </p>
      </section>
      <section aria-labelledby="events-heading">
        <h2 id="events-heading">Latest events</h2>
        <p class="muted-note">
          The latest {options.events.length} events that this instance of the app has seen, newest
          first. Each instance keeps its own, and a restart forgets them; the full trail is in the
          logs (lines with <code>"msg":"audit"</code>), where the request id finds the rest of the
          request.
        </p>
        <AuditEventsTable events={options.events} />
      </section>
    </>,
  );
}

/** What the confirmation step of "End all sessions" knows. */
export interface EndSessionsConfirmation {
  /** The person's key, as the admin page's form posted it. */
  readonly personKey: string;
  /** Their summary, or `null` when they have no active session now. */
  readonly person: PersonWithSessions | null;
  /** Whether they are the administrator asking (who is then signed out too). */
  readonly isYou: boolean;
}

/** The confirmation step of "End all sessions": a form that posts again with `confirm=yes`. */
export function renderEndSessionsConfirmation(
  context: PageContext,
  { personKey, person, isYou }: EndSessionsConfirmation,
): string {
  const heading = confirmHeading(person);
  return renderPage(
    heading,
    context,
    <>
      <h1>{heading}</h1>
      <p>
        {person === null
          ? 'This person has no active session now (they may have signed out already).'
          : `${person.name}${person.username === undefined ? '' : ` (${person.username})`} is signed out in every browser at once, and the tokens the app keeps for them (to call Microsoft Graph and other APIs) are deleted. They can sign in again.`}
      </p>
      {isYou && (
        <p class="notice">These include this session of yours: you will be signed out too.</p>
      )}
      <form method="post" action={END_SESSIONS_PATH} class="actions">
        <input type="hidden" name="person" value={personKey} />
        <input type="hidden" name="csrf_token" value={context.csrfToken ?? ''} />
        <input type="hidden" name="confirm" value="yes" />
        <button type="submit" class="button">
          {person === null ? 'End all sessions' : `End ${sessionsText(person.sessions)}`}
        </button>
        <a href="/admin">Cancel</a>
      </form>
    </>,
  );
}

function confirmHeading(person: PersonWithSessions | null): string {
  if (person === null) return 'End all sessions?';
  return person.sessions === 1
    ? `End the session of ${person.name}?`
    : `End all ${person.sessions} sessions of ${person.name}?`;
}
