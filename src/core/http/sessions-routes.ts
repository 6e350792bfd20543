import { eventPersonOf } from '../audit.js';
import { AppError } from '../errors.js';
import { verifyCsrfToken } from '../session/csrf.js';
import type { ActiveSession } from '../session/session-manager.js';
import {
  isCrossSite,
  type AuthRequest,
  type AuthResponse,
  type ResponseDraft,
} from './auth-request.js';
import type { SessionsNotice } from './default-pages.js';
import type { RouteContext } from './route-context.js';

/**
 * "Where you're signed in": `GET {sessions}` lists the person's sessions; `POST {sessions}/end`
 * ends one of them by its handle, `POST {sessions}/end_others` all but this browser's. Both
 * POSTs need the session's CSRF token and come back to the page with what was done.
 */
export async function showSessions(
  context: RouteContext,
  request: AuthRequest,
  draft: ResponseDraft,
): Promise<AuthResponse> {
  const session = await context.readSession(request);
  if (session === null) return context.signedOutResponse(request);
  const sessions = await context.directory.list(session);
  return draft.html(
    200,
    context.pages.sessions({
      ...context.pageContext(session),
      sessions,
      notice: noticeOf(request.query),
    }),
  );
}

export async function endSession(
  context: RouteContext,
  request: AuthRequest,
  draft: ResponseDraft,
): Promise<AuthResponse> {
  const { session, form } = await checkedPost(context, request);
  const handle = form.get('session') ?? '';
  const ended = await context.directory.endOne(session, handle);
  const person = eventPersonOf(session.data.user);
  if (ended === null) {
    // Another person's handle, a made-up one, or one that ended meanwhile: nothing changes.
    context.audit(request, { type: 'session-end-refused', person, session: handle.slice(0, 64) });
    return draft.redirect(`${pagePath(context)}?notice=not_found`);
  }
  context.audit(request, {
    type: 'sessions-ended',
    endedBy: 'person',
    count: 1,
    person,
    sessions: [ended],
    actor: person,
  });
  return draft.redirect(`${pagePath(context)}?notice=ended_one`);
}

export async function endOtherSessions(
  context: RouteContext,
  request: AuthRequest,
  draft: ResponseDraft,
): Promise<AuthResponse> {
  const { session } = await checkedPost(context, request);
  const ended = await context.directory.endOthers(session);
  const person = eventPersonOf(session.data.user);
  context.audit(request, {
    type: 'sessions-ended',
    endedBy: 'person',
    count: ended.length,
    person,
    sessions: ended,
    actor: person,
  });
  return draft.redirect(`${pagePath(context)}?notice=ended_others`);
}

async function checkedPost(
  context: RouteContext,
  request: AuthRequest,
): Promise<{ session: ActiveSession; form: URLSearchParams }> {
  if (isCrossSite(request, context.options.baseUrl)) {
    throw new AppError('REQUEST_CROSS_SITE', 'A sessions form was posted from another site');
  }
  const session = await context.readSession(request);
  if (session === null) throw new AppError('NOT_SIGNED_IN');
  const form = await request.readForm();
  if (!verifyCsrfToken(session.data, form.get('csrf_token'))) {
    throw new AppError('CSRF_TOKEN_INVALID', 'A sessions form had no valid CSRF token');
  }
  return { session, form };
}

function pagePath(context: RouteContext): string {
  return context.paths.sessions ?? '/';
}

const NOTICES: readonly SessionsNotice[] = ['ended_one', 'ended_others', 'not_found'];

function noticeOf(query: string): SessionsNotice | null {
  const value = new URLSearchParams(query).getAll('notice');
  const only = value.length === 1 ? value[0] : undefined;
  return NOTICES.find((notice) => notice === only) ?? null;
}
