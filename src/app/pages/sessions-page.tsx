import type { AuthPaths, SessionsNotice } from '../../core/http/default-pages.js';
import type { OwnSession } from '../../core/session/session-directory.js';
import { renderPage, type PageContext } from './layout.js';
import { approximately, utcText, UtcTime } from './utc-time.js';

/** What the sessions page shows besides the layout's context. */
export interface SessionsPageOptions {
  /** The person's sessions, newest first (the library's listing). */
  readonly sessions: readonly OwnSession[];
  readonly notice: SessionsNotice | null;
  readonly paths: AuthPaths;
  /** How stale "last active" may be: the store records use at most this often. */
  readonly lastActiveWithinMs: number;
}

const NOTICES: Record<SessionsNotice, string> = {
  ended_one: 'That session is signed out: the browser it was in has to sign in again.',
  ended_others: 'Every other session is signed out. Only this browser is still signed in.',
  not_found:
    'That session was not found among yours (it may have ended already). Nothing was changed.',
};

/**
 * `GET /sessions`, "Where you're signed in": each of the person's sessions with a button that
 * ends it. Every form POSTs with the CSRF token to the library's routes; the current session
 * signs out through the sign-out route, which also signs out at the identity provider.
 */
export function renderSessionsPage(context: PageContext, options: SessionsPageOptions): string {
  const { sessions, notice, paths } = options;
  const base = paths.sessions ?? '/sessions';
  const csrf = context.csrfToken ?? '';
  const labels = buttonLabels(sessions);
  const others = sessions.filter((s) => !s.current).length;
  return renderPage(
    "Where you're signed in",
    context,
    <>
      <h1>Where you're signed in</h1>
      {notice !== null && (
        <p class="notice" role="status">
          {NOTICES[notice]}
        </p>
      )}
      <p>
        Each browser you signed in with, newest first. Sign out any you do not recognise or no
        longer use.
      </p>
      <ul class="session-list" aria-label="Your sessions">
        {sessions.map((session, index) => (
          <li class="session" key={session.handle}>
            <h2 class="session-title">
              {session.browser} on {session.os}
              {session.current && (
                <>
                  {' '}
                  <span class="badge">This browser</span>
                </>
              )}
            </h2>
            <dl class="facts">
              <dt>Address at sign-in</dt>
              <dd>{session.address ?? 'unknown'}</dd>
              <dt>Signed in</dt>
              <dd>
                <UtcTime at={session.signedInAt} />
              </dd>
              <dt>Last active</dt>
              <dd>
                <UtcTime at={session.lastActiveAt} />
              </dd>
            </dl>
            <form
              method="post"
              action={session.current ? paths.signOut : `${base}/end`}
              class="session-actions"
            >
              {!session.current && <input type="hidden" name="session" value={session.handle} />}
              <input type="hidden" name="csrf_token" value={csrf} />
              <button type="submit" class="button button-secondary" aria-label={labels[index]}>
                Sign out
              </button>
            </form>
          </li>
        ))}
      </ul>
      {others > 0 && (
        <form method="post" action={`${base}/end_others`} class="end-others">
          <input type="hidden" name="csrf_token" value={csrf} />
          <button type="submit" class="button">
            Sign out everywhere else
          </button>{' '}
          <span class="muted-note">
            {others === 1 ? 'Ends the other session' : `Ends the ${others} other sessions`}; this
            browser stays signed in.
          </span>
        </form>
      )}
      <p class="muted-note">
        Times are in UTC. "Last active" is approximate, to within{' '}
        {approximately(options.lastActiveWithinMs)}: the app notes activity no more often than that.
        Signing out this browser also signs you out at your organisation's identity provider.
      </p>
    </>,
  );
}

/**
 * Each row's button name, telling the rows apart for people who hear the buttons rather than
 * see them: "Sign out Firefox 133 on Linux, signed in 2 Jan 2025, 14:05 UTC". Two sessions of
 * one browser signed in the same minute are numbered.
 */
function buttonLabels(sessions: readonly OwnSession[]): string[] {
  const labels = sessions.map((s) =>
    s.current
      ? `Sign out this browser (${s.browser} on ${s.os})`
      : `Sign out ${s.browser} on ${s.os}, signed in ${utcText(s.signedInAt)}`,
  );
  return labels.map((label, index) =>
    labels.indexOf(label) === labels.lastIndexOf(label)
      ? label
      : `${label} (session ${index + 1} of ${labels.length})`,
  );
}
