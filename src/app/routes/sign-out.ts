import type { FastifyInstance, FastifyReply } from 'fastify';
import { buildSignOutUrl } from '../../core/flows/sign-out.js';
import { AppError } from '../../core/errors.js';
import type { ActiveSession } from '../../core/session/session-manager.js';
import { verifyCsrfToken } from '../../core/session/csrf.js';
import { renderSignedOutPage, renderSignOutPage } from '../pages/sign-out-pages.js';
import { pageContextFor, type AppServices } from '../services.js';

/** The sign-out page, the CSRF-protected sign-out, and where the provider sends people back. */
export function registerSignOutRoutes(app: FastifyInstance, services: AppServices): void {
  const { config, provider, sessions } = services;

  app.get('/auth/sign_out', async (request, reply) => {
    const session = await sessions.read(request);
    if (!session?.data.user) return reply.redirect('/', 303);
    return reply
      .type('text/html; charset=utf-8')
      .send(renderSignOutPage(pageContextFor(services, session)));
  });

  app.post<{ Body: { csrf_token?: unknown } | undefined }>(
    '/auth/sign_out',
    async (request, reply) => {
      const session = await sessions.read(request);
      const user = session?.data.user;
      if (!session || !user) {
        sessions.clear(reply);
        return reply.redirect('/auth/post_sign_out', 303);
      }
      if (!verifyCsrfToken(session.data, request.body?.csrf_token)) {
        throw new AppError('CSRF_TOKEN_INVALID', 'The sign-out form had no valid CSRF token');
      }
      // The local session ends first, whatever the provider does next.
      await sessions.manager.end(session);
      sessions.clear(reply);
      request.log.info('signed out');
      const providerUrl = await buildSignOutUrl(
        provider,
        user,
        config.postSignOutRedirectUri,
      ).catch((error: unknown) => {
        request.log.warn(
          { err: error },
          'provider sign-out URL unavailable; signed out locally only',
        );
        return null;
      });
      return reply.redirect(providerUrl?.href ?? '/auth/post_sign_out', 303);
    },
  );

  app.get('/auth/post_sign_out', async (request, reply) => {
    const session = await sessions.read(request);
    return sendSignedOut(reply, services, session);
  });
}

function sendSignedOut(
  reply: FastifyReply,
  services: AppServices,
  session: ActiveSession | null,
): FastifyReply {
  return reply
    .type('text/html; charset=utf-8')
    .send(renderSignedOutPage(pageContextFor(services, session?.data.user ? session : null)));
}
