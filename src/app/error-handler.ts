import { sanitizeReturnTo } from '../core/return-to.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError } from '../core/errors.js';
import { errorHints } from './pages/error-hints.js';
import { renderErrorPage } from './pages/error-page.js';
import { pageContextFor, type AppServices } from './services.js';

/**
 * Turns every failure into a page that says what happened and what to do: AppErrors keep their
 * code, Fastify's own 4xx errors (bad URL, bad body) become BAD_REQUEST, anything else INTERNAL
 * (logged with its stack, shown only as a correlation id).
 */
export function installErrorHandler(app: FastifyInstance, services: AppServices): void {
  app.setErrorHandler(async (error, request, reply) => {
    const appError = toAppError(error);
    // An API call's failure is the library's to answer: a trip to the provider for consent or
    // claims, or a page that comes back here.
    if (appError.code.startsWith('API_')) return reply.entraError(appError);
    if (appError.status >= 500) {
      request.log.error({ err: error, code: appError.code }, 'request failed');
    } else {
      request.log.info({ code: appError.code }, appError.message);
    }
    return sendError(services, request, reply, appError);
  });
  app.setNotFoundHandler(async (request, reply) =>
    sendError(services, request, reply, new AppError('NOT_FOUND')),
  );
}

function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError('BAD_REQUEST', 'The request could not be read', { cause: error });
  }
  return new AppError('INTERNAL', 'Unexpected error', { cause: error });
}

async function sendError(
  services: AppServices,
  request: FastifyRequest,
  reply: FastifyReply,
  error: AppError,
): Promise<FastifyReply> {
  // The page shows the header of whoever is signed in; if the store is what failed, show none.
  const session =
    error.code === 'SESSION_STORE_UNAVAILABLE'
      ? null
      : await request.entraSession().catch(() => null);
  reply.code(error.status).header('cache-control', 'no-store');
  if (wantsJson(request)) {
    return reply.send({
      error: error.code,
      message: error.title,
      hint: errorHints[error.code],
      providerCode: error.providerCode,
      correlationId: request.id,
    });
  }
  return reply.type('text/html; charset=utf-8').send(
    renderErrorPage(pageContextFor(services, session), error, {
      correlationId: request.id,
      returnTo: returnPathFor(request, error),
    }),
  );
}

// The 401 page, and "try again" when Graph did not list the groups, come back where they were;
// after a failed sign-in, the page that failed (the redirect URI) is no place to return to.
function returnPathFor(request: FastifyRequest, error: AppError): string {
  // Sanitised: Fastify routes an absolute-form target (`GET http://elsewhere/page`) too.
  const here = sanitizeReturnTo(request.url.split('?')[0] ?? '/');
  if (error.code === 'NOT_SIGNED_IN') return here;
  if (error.code === 'GROUPS_UNAVAILABLE' && request.method === 'GET') return here;
  return '/';
}

function wantsJson(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}
