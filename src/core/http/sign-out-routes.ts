import { eventPersonOf } from '../audit.js';
import * as oidc from 'openid-client';
import { AppError } from '../errors.js';
import { buildSignOutUrl } from '../flows/sign-out.js';
import { verifyCsrfToken } from '../session/csrf.js';
import { clearCookie, readCookies, setCookie } from '../session/session-cookie.js';
import { isCrossSite, ResponseDraft, type AuthRequest, type AuthResponse } from './auth-request.js';
import type { RouteContext } from './route-context.js';

// How long the browser may take at the provider's sign-out before its state is forgotten.
const SIGN_OUT_STATE_SECONDS = 600;

/** `GET …/sign_out`: a confirmation page whose button POSTs; signed out, back to the home page. */
export async function showSignOut(
  context: RouteContext,
  request: AuthRequest,
  draft: ResponseDraft,
): Promise<AuthResponse> {
  const session = await context.readSession(request);
  if (session === null) return draft.redirect('/');
  return draft.html(200, context.pages.signOut(context.pageContext(session)));
}

/**
 * `POST …/sign_out` with the session's CSRF token: ends the session here, then sends the browser
 * to the provider's end-session endpoint with a `state` that `post_sign_out` checks. A request
 * from another site, or one without a session, changes nothing (not even a cookie).
 */
export async function signOut(
  context: RouteContext,
  request: AuthRequest,
  draft: ResponseDraft,
): Promise<AuthResponse> {
  const { options } = context;
  if (isCrossSite(request, options.baseUrl)) {
    throw new AppError('REQUEST_CROSS_SITE', 'A sign-out was posted from another site');
  }
  const session = await context.readSession(request);
  if (session === null) return draft.redirect(context.paths.postSignOut);
  const form = await request.readForm();
  if (!verifyCsrfToken(session.data, form.get('csrf_token'))) {
    throw new AppError('CSRF_TOKEN_INVALID', 'The sign-out form had no valid CSRF token');
  }
  // The local session ends first, whatever the provider does next.
  await context.sessions.end(session);
  draft.cookies.push(clearCookie(options.session, options.session.cookieName));
  const log = context.logFor(request);
  context.audit(request, {
    type: 'signed-out',
    person: eventPersonOf(session.data.user),
    session: context.directory.handleOf(session),
  });
  const state = oidc.randomState();
  const providerUrl = await buildSignOutUrl(
    context.provider,
    session.data.user,
    options.postSignOutRedirectUri,
    state,
  ).catch((error: unknown) => {
    log.warn({ err: error }, 'provider sign-out URL unavailable; signed out locally only');
    return null;
  });
  if (providerUrl === null) return draft.redirect(context.paths.postSignOut);
  draft.cookies.push(
    setCookie(
      options.session,
      signOutCookieName(context),
      context.signOutStates.seal(String(context.now()), state),
      SIGN_OUT_STATE_SECONDS,
    ),
  );
  return draft.redirect(providerUrl.href);
}

/**
 * `GET …/post_sign_out`: where the provider sends the browser back. A signed-in visitor (any site
 * can link here) goes to the home page instead of reading "you're signed out".
 */
export async function showSignedOut(
  context: RouteContext,
  request: AuthRequest,
  draft: ResponseDraft,
): Promise<AuthResponse> {
  const session = await context.readSession(request);
  if (session !== null) return draft.redirect('/');
  const name = signOutCookieName(context);
  const sealed = readCookies(request.header('cookie'))[name];
  const state = new URLSearchParams(request.query).get('state');
  const providerConfirmed =
    sealed !== undefined && state !== null && context.signOutStates.open(sealed, state) !== null;
  if (sealed !== undefined) draft.cookies.push(clearCookie(context.options.session, name));
  return draft.html(
    200,
    context.pages.signedOut({ ...context.pageContext(null), providerConfirmed }),
  );
}

function signOutCookieName(context: RouteContext): string {
  return `${context.options.session.cookieName}-signout`;
}
