import type { FastifyInstance } from 'fastify';
import { LRUCache } from 'lru-cache';
import { hasGroupsOverage, rolesOf } from '../../core/access-rule.js';
import { renderHomePage } from '../pages/home-page.js';
import { renderClaimSections, renderTokenDetailsPage } from '../pages/token-details-page.js';
import { isEntraProvider, pageContextFor, type AppServices } from '../services.js';

/** The status page, the claims page and the health check. */
export function registerPageRoutes(app: FastifyInstance, services: AppServices): void {
  // Rendering the claim tables is the largest part of this page's cost; they change only with
  // the person's sign-in and, for the relative times, with the minute.
  const claimSections = new LRUCache<string, string>({ max: 1_000 });
  app.get('/', async (request, reply) => {
    const session = await request.entraSession();
    return reply
      .type('text/html; charset=utf-8')
      .send(renderHomePage(pageContextFor(services, session)));
  });

  // Signed out, this answers 401 with a page that offers sign-in rather than redirecting: that is
  // the seed's behaviour, and what API-style clients expect.
  app.get('/token_details', { preHandler: app.requireSignIn }, async (request, reply) => {
    const session = await request.entraSession();
    if (session === null) return reply;
    const user = session.data.user;
    const now = services.now();
    const cacheKey = `${user.key}|${user.signedInAt}|${Math.floor(now / 60_000)}`;
    let sections = claimSections.get(cacheKey);
    if (sections === undefined) {
      sections = renderClaimSections(user.claims, now, isEntraProvider(services.config));
      claimSections.set(cacheKey, sections);
    }
    const person = services.signIn.personOf(session);
    // The overage's groups come from Graph (kept for the session); when Graph cannot say, this
    // rejects with GROUPS_UNAVAILABLE, a 503, rather than show the person in no group.
    const groups = await services.signIn.groupsOf(session);
    return reply.type('text/html; charset=utf-8').send(
      renderTokenDetailsPage(pageContextFor(services, session), sections, {
        roles: rolesOf(person),
        groups,
        fromGraph: hasGroupsOverage(person),
      }),
    );
  });

  app.get('/healthz', () => ({ status: 'ok' }));
}
