import { AppError } from '../errors.js';
import type { ActiveSession } from '../session/session-manager.js';
import {
  returnPathOf,
  wantsJson,
  type AuthRequest,
  type AuthResponse,
  type ResponseDraft,
} from './auth-request.js';
import { translateProviderError } from '../provider/translate-provider-error.js';
import { interactionRedirect } from './interaction.js';
import type { RouteContext } from './route-context.js';

/**
 * The answer to a failed request: logged (errors of ours at error with the cause, a refused
 * client at warn, the person's or the network's mistakes at info, never with a token), then
 * rendered with the signed-in person's header unless the store is what failed.
 */
export async function errorResponse(
  context: RouteContext,
  request: AuthRequest,
  error: AppError,
  original: unknown,
  draft: ResponseDraft,
): Promise<AuthResponse> {
  const log = context.logFor(request);
  const facts = { code: error.code, providerCode: error.providerCode, ...error.facts };
  if (error.code === 'AUTH_CLIENT_REJECTED') log.warn(facts, error.message);
  else if (error.status >= 500) log.error({ err: original, ...facts }, 'request failed');
  else log.info(facts, error.message);
  const session =
    error.code === 'SESSION_STORE_UNAVAILABLE'
      ? null
      : await context.readSession(request).catch(() => null);
  // A page the browser navigates to; an image or a script's fetch is not sent anywhere (the
  // browser says which by Sec-Fetch-Dest; clients that send none are taken at their word).
  const destination = request.header('sec-fetch-dest');
  const page =
    request.method === 'GET' &&
    !wantsJson(request) &&
    (destination === undefined || destination === 'document');
  if (error.code === 'API_INTERACTION_REQUIRED' && page && session === null) {
    // Signed out (or expired) while the page was working: a sign-in, not a trip for the API.
    return renderError(
      context,
      request,
      new AppError('NOT_SIGNED_IN'),
      draft,
      null,
      returnPathOf(request),
    );
  }
  if (error.code === 'API_INTERACTION_REQUIRED' && page) {
    try {
      return await interactionRedirect(context, request, error, session, draft);
    } catch (cause) {
      const unreachable = translateProviderError(cause);
      log.info({ code: unreachable.code }, unreachable.message);
      return renderError(context, request, unreachable, draft, session, '/');
    }
  }
  // An API's failure (or Graph's silence about the groups) is the host page's: "sign in again"
  // or "try again" come back to it.
  const hostPages = error.code.startsWith('API_') || error.code === 'GROUPS_UNAVAILABLE';
  const returnTo = hostPages && page ? returnPathOf(request) : '/';
  return renderError(context, request, error, draft, session, returnTo);
}

/** An error as JSON (to clients that ask only for it) or as the error page. */
export function renderError(
  context: RouteContext,
  request: AuthRequest,
  error: AppError,
  draft: ResponseDraft,
  session: ActiveSession | null,
  returnTo: string,
): AuthResponse {
  const correlationId = request.id ?? '';
  if (wantsJson(request)) {
    return draft.json(error.status, {
      error: error.code,
      message: error.title,
      providerCode: error.providerCode,
      // A 403 says what was missing, so that an API client can say it too.
      ...(error.code === 'ACCESS_DENIED' ? { missing: error.facts?.['missing'] } : {}),
      correlationId,
    });
  }
  const page = context.pages.error({
    ...context.pageContext(session),
    error,
    correlationId,
    returnTo,
  });
  return draft.html(error.status, page);
}
