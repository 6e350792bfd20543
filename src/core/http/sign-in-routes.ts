import { hash } from 'node:crypto';
import { eventPersonOf } from '../audit.js';
import { deviceOf } from '../session/device.js';
import { AppError } from '../errors.js';
import {
  buildAuthorizationRequest,
  checkAttemptAge,
  completeSignIn,
  readAnswer,
} from '../flows/sign-in.js';
import { readCookies, setCookie, signCookieValue } from '../session/session-cookie.js';
import { SessionManager } from '../session/session-manager.js';
import {
  isCrossSiteNavigation,
  ResponseDraft,
  type AuthRequest,
  type AuthResponse,
} from './auth-request.js';
import type { RouteContext } from './route-context.js';

/**
 * `GET …/sign_in`: sends the browser to the provider, keeping the attempt in a sealed cookie of
 * its own. Nothing is written to the store for a visitor who has not signed in.
 */
export async function startSignIn(
  context: RouteContext,
  request: AuthRequest,
  draft: ResponseDraft,
): Promise<AuthResponse> {
  const params = new URLSearchParams(request.query);
  const { url, state, attempt } = await buildAuthorizationRequest(context.provider, {
    redirectUri: context.options.redirectUri,
    returnTo: params.get('post_sign_in_url') ?? undefined,
    now: context.now(),
    crossSite: isCrossSiteNavigation(request),
    // The one prompt a link may ask for: "sign in as someone else" (any other is ignored).
    prompt: params.get('prompt') === 'select_account' ? 'select_account' : undefined,
    extraScopes: context.tokens.signInScopes(null),
    claims: context.tokens.claimsFor(null),
  });
  draft.cookies.push(
    ...context.attempts.start(readCookies(request.header('cookie')), state, attempt),
  );
  return draft.redirect(url.href, 302);
}

/**
 * `GET …/redirect`: the provider's answer. The attempt it answers is found by `state` and spent
 * whatever happens next; a sign-in that succeeds is recorded once in the store (by a hash of its
 * state), so a replayed answer cannot start a second session, on this instance or another.
 */
export async function finishSignIn(
  context: RouteContext,
  request: AuthRequest,
  draft: ResponseDraft,
): Promise<AuthResponse> {
  const { options, sessions } = context;
  const { params, state } = readAnswer(request.query);
  const cookies = readCookies(request.header('cookie'));
  const found = context.attempts.find(cookies, state);
  const current = await context.readSession(request);
  if (found === null) {
    // A replayed answer to a sign-in that already succeeded in this browser: nothing to do.
    if (current !== null) return draft.redirect('/');
    throw new AppError(
      'AUTH_ATTEMPT_NOT_FOUND',
      'No sign-in attempt of this browser has that state',
    );
  }
  // An attempt is good for one answer: spent now, whatever the answer turns out to be.
  draft.cookies.push(context.attempts.spend(found.cookieName));
  checkAttemptAge(found.attempt, context.now(), options.session.signInTimeoutMs);
  const outcome = await completeSignIn(
    context.provider,
    { params, state, attempt: found.attempt },
    { redirectUri: options.redirectUri, now: context.now() },
  );
  if (outcome.outcome === 'cancelled') {
    throw new AppError('AUTH_CANCELLED', 'The person declined the sign-in', {
      providerCode: outcome.providerCode,
      providerDescription: outcome.providerDescription,
    });
  }
  const spentUntil = found.attempt.startedAt + options.session.signInTimeoutMs + 300_000;
  if (!(await sessions.markUsed(`state:${hash('sha256', state, 'base64url')}`, spentUntil))) {
    if (current !== null) return draft.redirect('/');
    throw new AppError('AUTH_ATTEMPT_NOT_FOUND', 'This sign-in answer was used already');
  }
  // A new id for the signed-in session: whatever id existed before is worthless now. The same
  // person coming back (from a consent or a Conditional Access step) keeps the app's fields.
  const data = SessionManager.dataFor(outcome.user, deviceOf(request));
  const keepApp = current !== null && current.data.user.key === outcome.user.key;
  const { apiScopes, interaction, earlierInteractions } = found.attempt;
  const signedIn = await sessions.start(
    keepApp && current.data.app !== undefined ? { ...data, app: current.data.app } : data,
    current,
    (key) =>
      context.tokens.recordForSignIn(key, outcome.tokens, {
        scopes: apiScopes ?? [],
        interactionKey: interaction,
        earlierInteractions: earlierInteractions ?? [],
      }),
  );
  context.audit(request, {
    type: 'signed-in',
    person: eventPersonOf(outcome.user),
    session: context.directory.handleOf(signedIn),
  });
  draft.cookies.push(
    setCookie(
      options.session,
      options.session.cookieName,
      signCookieValue(signedIn.id, options.session.secrets),
    ),
  );
  return draft.redirect(outcome.returnTo);
}
