import { AppError } from '../errors.js';
import { rejectRepeatedParameters } from '../flows/sign-in.js';
import { validateLogoutToken } from '../flows/logout-token.js';
import { clearCookie } from '../session/session-cookie.js';
import { ResponseDraft, type AuthRequest, type AuthResponse } from './auth-request.js';
import type { RouteContext } from './route-context.js';

// What the provider's iframe shows: nothing personal, so nothing to escape.
const FRONT_CHANNEL_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head><body><p>Signed out.</p></body></html>';

const MAX_SID_LENGTH = 512;

/**
 * `GET …/front_channel_logout`: the provider's sign-out page loads this in an iframe (what Entra
 * uses); every session signed in through the provider session `sid` ends.
 *
 * @see https://openid.net/specs/openid-connect-frontchannel-1_0.html
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc#single-sign-out
 */
export async function frontChannelLogout(
  context: RouteContext,
  request: AuthRequest,
  draft: ResponseDraft,
): Promise<AuthResponse> {
  const params = new URLSearchParams(request.query);
  rejectRepeatedParameters(params, 'LOGOUT_REQUEST_INVALID');
  const sid = params.get('sid');
  const iss = params.get('iss');
  if (sid === null || sid === '' || sid.length > MAX_SID_LENGTH) {
    throw new AppError('LOGOUT_REQUEST_INVALID', 'The request has no usable sid');
  }
  if (iss !== null && !(await context.provider.acceptsIssuer(iss))) {
    throw new AppError('LOGOUT_REQUEST_INVALID', 'The request names another issuer');
  }
  // The iframe is cross-site, so this browser's cookie rarely comes along; when it does and
  // names one of the sessions ended, the cookie goes too.
  const current = await context.readSession(request);
  const ended = await context.sessions.endAllForProviderSession(sid);
  const session = context.options.session;
  if (current?.data.user.claims['sid'] === sid)
    draft.cookies.push(clearCookie(session, session.cookieName));
  context.audit(request, {
    type: 'sessions-ended',
    endedBy: 'front-channel',
    count: ended,
    person: null,
    sessions: [],
    actor: null,
  });
  // Only the provider may frame this page; every other page of the host keeps its own policy.
  const origin = new URL(context.options.oidc.authority).origin;
  return draft.finish(
    200,
    {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache, no-store',
      pragma: 'no-cache',
      'content-security-policy': `default-src 'none'; frame-ancestors ${origin}`,
      // X-Frame-Options cannot name another origin; browsers that know CSP obey frame-ancestors.
      'x-frame-options': null,
    },
    FRONT_CHANNEL_PAGE,
  );
}

/**
 * `POST …/back_channel_logout`: a signed logout token from the provider's server. Its `jti` is
 * recorded in the shared store, so a replay is refused by every instance.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html
 */
export async function backChannelLogout(
  context: RouteContext,
  request: AuthRequest,
  draft: ResponseDraft,
): Promise<AuthResponse> {
  try {
    const form = await request.readForm();
    rejectRepeatedParameters(form, 'LOGOUT_TOKEN_INVALID');
    const token = form.get('logout_token');
    if (token === null || token === '') {
      throw new AppError('LOGOUT_TOKEN_INVALID', 'The request has no logout_token');
    }
    const logout = await validateLogoutToken(context.provider, token, context.now());
    const tokenKey = `jti:${logout.iss} ${logout.jti}`;
    if (!(await context.sessions.markUsed(tokenKey, logout.rememberUntil))) {
      throw new AppError('LOGOUT_TOKEN_REPLAYED', 'The logout token was seen before');
    }
    let ended = 0;
    try {
      if (logout.sid !== undefined) {
        ended = await context.sessions.endAllForProviderSession(logout.sid);
      } else {
        for (const key of logout.userKeys) ended += await context.sessions.endAllFor(key);
      }
    } catch (error) {
      // The sessions did not end: the provider's retry of this same token must be accepted.
      await context.sessions.forgetUsed(tokenKey).catch(() => undefined);
      throw error;
    }
    context.audit(request, {
      type: 'sessions-ended',
      endedBy: 'back-channel',
      count: ended,
      person: null,
      sessions: [],
      actor: null,
    });
    return draft.empty(200);
  } catch (error) {
    // Back-Channel Logout 1.0 §2.8: a refusal is a 400 with an OAuth-style JSON error body; a
    // provider or store outage keeps its own status so the provider may retry.
    if (!(error instanceof AppError) || error.status >= 500) throw error;
    context.logFor(request).info({ code: error.code }, error.message);
    return draft.json(400, {
      error: 'invalid_request',
      error_description: error.title,
      code: error.code,
    });
  }
}
