import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toAuthRequest } from '../../adapters/fastify/index.js';
import { AppError } from '../../core/errors.js';
import { isCrossSite } from '../../core/http/auth-request.js';
import type { ActiveSession } from '../../core/session/session-manager.js';
import { clearCookie } from '../../core/session/session-cookie.js';
import {
  END_SESSIONS_PATH,
  renderAdminPage,
  renderEndSessionsConfirmation,
} from '../pages/admin-page.js';
import { pageContextFor, type AppServices } from '../services.js';

const FORM = 'application/x-www-form-urlencoded';
const LATEST_EVENTS = 50;
// A person key is `entra:{tid}:{oid}` or `oidc:{iss}:{sub}`: short, whatever the provider.
const MAX_PERSON_KEY = 1024;

/**
 * `GET /admin` and `POST /admin/end_sessions`, for people with the app role ADMIN_ROLE names
 * (signed out: 401; without the role: the library's 403 page naming it). Ending a person's
 * sessions takes two POSTs, the second with `confirm=yes`; both need the session's CSRF token
 * and a request from this app's own pages.
 */
export async function registerAdminRoutes(
  app: FastifyInstance,
  services: AppServices,
): Promise<void> {
  const { config, signIn } = services;
  const adminsOnly = app.requireAccess({ anyRole: [config.adminRole] });

  app.get('/admin', { preHandler: adminsOnly }, async (request, reply) => {
    const session = await request.entraSession();
    if (reply.sent || session === null) return reply;
    const people = await signIn.peopleWithSessions();
    return reply.type('text/html; charset=utf-8').send(
      renderAdminPage(pageContextFor(services, session), {
        people,
        events: services.auditEvents.latest(LATEST_EVENTS),
        ended: endedOf(request),
        // The store records activity at most every tenth of the idle timeout (SessionManager).
        lastActiveWithinMs: config.session.idleTimeoutMs / 10,
      }),
    );
  });

  // The form parser is this scope's alone, as the library's routes keep theirs.
  await app.register((scope, _options, done) => {
    scope.addContentTypeParser(
      FORM,
      { parseAs: 'string', bodyLimit: 64 * 1024 },
      (_request, body, parsed) => {
        parsed(null, body);
      },
    );
    scope.post(END_SESSIONS_PATH, { preHandler: adminsOnly }, async (request, reply) => {
      const session = await request.entraSession();
      if (reply.sent || session === null) return reply;
      return endSessions(services, request, reply, session);
    });
    done();
  });
}

async function endSessions(
  services: AppServices,
  request: FastifyRequest,
  reply: FastifyReply,
  session: ActiveSession,
): Promise<FastifyReply> {
  const { config, signIn } = services;
  const auth = toAuthRequest(request);
  if (isCrossSite(auth, config.baseUrl)) {
    throw new AppError('REQUEST_CROSS_SITE', 'An admin form was posted from another site');
  }
  const form = await auth.readForm();
  if (!signIn.verifyCsrfToken(session, form.get('csrf_token'))) {
    throw new AppError('CSRF_TOKEN_INVALID', 'An admin form had no valid CSRF token');
  }
  const personKey = onlyValue(form, 'person');
  if (personKey === null || personKey.length > MAX_PERSON_KEY) {
    throw new AppError('BAD_REQUEST', 'The form named no person');
  }
  const isYou = personKey === signIn.personOf(session).key;
  if (onlyValue(form, 'confirm') !== 'yes') {
    return reply.type('text/html; charset=utf-8').send(
      renderEndSessionsConfirmation(pageContextFor(services, session), {
        personKey,
        person: await signIn.personWithSessions(personKey),
        isYou,
      }),
    );
  }
  const ended = await signIn.endSessionsOf(auth, session, personKey);
  if (isYou) {
    // The administrator's own session was among them: the cookie names nothing any more, so
    // drop it and say "signed out" rather than answer /admin with a 401.
    return reply
      .header('set-cookie', clearCookie(config.session, config.session.cookieName))
      .redirect(signIn.paths.postSignOut, 303);
  }
  return reply.redirect(`/admin?ended=${ended}`, 303);
}

/** The one value of a form field; `null` when missing, empty or repeated. */
function onlyValue(form: URLSearchParams, name: string): string | null {
  const values = form.getAll(name);
  return values.length === 1 && values[0] !== '' ? (values[0] ?? null) : null;
}

function endedOf(request: FastifyRequest): number | null {
  const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
  const values = new URLSearchParams(query).getAll('ended');
  const only = values.length === 1 ? values[0] : undefined;
  return only !== undefined && /^\d{1,6}$/.test(only) ? Number(only) : null;
}
