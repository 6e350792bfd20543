import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.js';
import { renderHomePage } from '../pages/home-page.js';
import { renderTokenDetailsPage } from '../pages/token-details-page.js';
import { pageContextFor, type AppServices } from '../services.js';

/** The status page, the claims page and the health check. */
export function registerPageRoutes(app: FastifyInstance, services: AppServices): void {
  app.get('/', async (request, reply) => {
    const session = await services.sessions.read(request);
    return reply
      .type('text/html; charset=utf-8')
      .send(renderHomePage(pageContextFor(services, session)));
  });

  // Signed out, this answers 401 with a page that offers sign-in rather than redirecting: that is
  // the seed's behaviour, and what API-style clients expect.
  app.get('/token_details', async (request, reply) => {
    const session = await services.sessions.read(request);
    const user = session?.data.user;
    if (!session || !user) throw new AppError('NOT_SIGNED_IN');
    return reply
      .type('text/html; charset=utf-8')
      .send(renderTokenDetailsPage(pageContextFor(services, session), user.claims, services.now()));
  });

  app.get('/healthz', () => ({ status: 'ok' }));
}
