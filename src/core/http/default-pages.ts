import type { AppError } from '../errors.js';
import type { OwnSession } from '../session/session-directory.js';
import type { SignedInPerson } from '../signed-in-person.js';

/** What every page the library renders knows about its request. */
export interface PageContext {
  readonly person: SignedInPerson | null;
  /** A CSRF token for a sign-out form, when someone is signed in. */
  readonly csrfToken: string | null;
  /** The paths of the sign-in routes (under the configured prefix). */
  readonly paths: AuthPaths;
}

/** Where the library's routes are. */
export interface AuthPaths {
  readonly signIn: string;
  readonly redirect: string;
  readonly signOut: string;
  readonly postSignOut: string;
  readonly frontChannelLogout: string;
  readonly backChannelLogout: string;
  /** The "where you're signed in" page (`null` when turned off); its forms post below it. */
  readonly sessions: string | null;
}

/** What the sessions page says after a change: one ended, the others ended, or none matched. */
export type SessionsNotice = 'ended_one' | 'ended_others' | 'not_found';

/** The pages the library's routes answer with; a host app may replace any of them. */
export interface PageRenderers {
  /** `GET …/sign_out` for a signed-in person: a page whose button POSTs the sign-out. */
  signOut(context: PageContext): string;
  /** `GET …/post_sign_out`; `providerConfirmed` when the provider's sign-out came back with our state. */
  signedOut(context: PageContext & { readonly providerConfirmed: boolean }): string;
  /**
   * `GET {sessions}`: the person's sessions, newest first; each other one with a form that
   * POSTs `session` (its handle) and `csrf_token` to `{sessions}/end`, and one form for
   * `{sessions}/end_others`. The current one signs out through the sign-out route.
   */
  sessions(
    context: PageContext & {
      readonly sessions: readonly OwnSession[];
      readonly notice: SessionsNotice | null;
    },
  ): string;
  /** Every failure, and the 401 of a guarded route. */
  error(
    context: PageContext & {
      readonly error: AppError;
      readonly correlationId: string;
      /** Where a sign-in offered on the page should come back to. */
      readonly returnTo: string;
    },
  ): string;
}

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head><body><main>${body}</main></body></html>`;
}

function signInLink(paths: AuthPaths, returnTo: string, label: string): string {
  const href =
    returnTo === '/'
      ? paths.signIn
      : `${paths.signIn}?post_sign_in_url=${encodeURIComponent(returnTo)}`;
  return `<a href="${escapeHtml(href)}">${escapeHtml(label)}</a>`;
}

const NOTICE_TEXT: Record<SessionsNotice, string> = {
  ended_one: 'That session is signed out.',
  ended_others: 'Every other session is signed out.',
  not_found: 'That session was not found among yours (it may have ended already). Nothing changed.',
};

function hiddenFields(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
    .join('');
}

function sessionsPage({
  paths,
  csrfToken,
  sessions,
  notice,
}: Parameters<PageRenderers['sessions']>[0]): string {
  const base = paths.sessions ?? '/';
  const csrf = csrfToken ?? '';
  const when = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  const rows = sessions.map((s) => {
    const action = s.current
      ? `<form method="post" action="${escapeHtml(paths.signOut)}">${hiddenFields({ csrf_token: csrf })}<button type="submit">Sign out</button></form>`
      : `<form method="post" action="${escapeHtml(`${base}/end`)}">${hiddenFields({ session: s.handle, csrf_token: csrf })}<button type="submit">Sign out</button></form>`;
    return `<li><strong>${escapeHtml(s.browser)} on ${escapeHtml(s.os)}</strong>${s.current ? ' (this browser)' : ''}<br>Address at sign-in: ${escapeHtml(s.address ?? 'unknown')} · Signed in ${when(s.signedInAt)} · Last active ${when(s.lastActiveAt)}${action}</li>`;
  });
  const others = sessions.some((s) => !s.current)
    ? `<form method="post" action="${escapeHtml(`${base}/end_others`)}">${hiddenFields({ csrf_token: csrf })}<button type="submit">Sign out everywhere else</button></form>`
    : '';
  return page(
    "Where you're signed in",
    `<h1>Where you're signed in</h1>${notice === null ? '' : `<p role="status">${escapeHtml(NOTICE_TEXT[notice])}</p>`}<ul>${rows.join('')}</ul>${others}<p><a href="/">Home</a></p>`,
  );
}

/** Plain pages, for host apps that bring none of their own. */
export const defaultPages: PageRenderers = {
  signOut: ({ paths, csrfToken }) =>
    page(
      'Sign out',
      `<h1>Sign out?</h1><form method="post" action="${escapeHtml(paths.signOut)}"><input type="hidden" name="csrf_token" value="${escapeHtml(csrfToken ?? '')}"><button type="submit">Sign out</button></form>`,
    ),
  signedOut: ({ paths }) =>
    page(
      'Signed out',
      `<h1>You're signed out.</h1><p>${signInLink(paths, '/', 'Sign in again')} · <a href="/">Home</a></p>`,
    ),
  sessions: sessionsPage,
  error: ({ error, correlationId, returnTo, paths, person }) =>
    page(
      error.title,
      `<h1>${escapeHtml(error.title)}</h1>${
        error.code === 'ACCESS_DENIED'
          ? `<p>Signed in as <strong>${escapeHtml(person?.name ?? 'someone')}</strong>; missing: <strong>${escapeHtml(String(error.facts?.['missing'] ?? ''))}</strong>.</p><p><a href="${escapeHtml(`${paths.signIn}?prompt=select_account&post_sign_in_url=${encodeURIComponent(returnTo)}`)}">Sign in as someone else</a></p>`
          : ''
      }${
        error.providerCode === undefined
          ? ''
          : `<p>Identity provider error: <code>${escapeHtml(error.providerCode)}</code></p>`
      }<p>${signInLink(paths, returnTo, error.code === 'NOT_SIGNED_IN' ? 'Sign in' : 'Try signing in again')} · <a href="/">Home</a></p><p>Error code: <code>${escapeHtml(error.code)}</code> · Status: ${error.status} · Correlation id: <code>${escapeHtml(correlationId)}</code></p>`,
    ),
};
