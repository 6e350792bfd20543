import type { FastifyInstance } from 'fastify';
import { LRUCache } from 'lru-cache';
import { hasGroupsOverage, rolesOf } from '../../core/access-rule.js';
import { renderHomePage } from '../pages/home-page.js';
import type { PageContext } from '../pages/layout.js';
import { PageTemplate } from '../pages/page-template.js';
import { renderClaimSections, renderTokenDetailsPage } from '../pages/token-details-page.js';
import { isEntraProvider, pageContextFor, type AppServices } from '../services.js';

const HTML = 'text/html; charset=utf-8';
// About three hundred claims pages.
const PAGE_CACHE_BYTES = 2 * 1024 * 1024;

/** The status page, the claims page and the health check. */
export function registerPageRoutes(app: FastifyInstance, services: AppServices): void {
  // Whole pages, rendered once for everything they show but the CSRF token (see PageTemplate),
  // keyed by all of it: the page, the context, the claims' key and the roles and groups. Bounded
  // by bytes, not entries: a key is new with every sign-in and every minute (the claims page's
  // relative times), so a count-bounded cache of pages grew the heap by tens of megabytes under
  // load, and one person re-reading a page is what it is for.
  const pages = new LRUCache<string, PageTemplate>({
    maxSize: PAGE_CACHE_BYTES,
    sizeCalculation: (template, key) => template.bytes + key.length,
  });
  const templateFor = (
    key: readonly unknown[],
    context: PageContext,
    render: (context: PageContext) => string,
  ): PageTemplate => {
    const cacheKey = JSON.stringify([...key, { ...context, csrfToken: null }]);
    let template = pages.get(cacheKey);
    if (template === undefined) {
      template = new PageTemplate(
        (csrfToken) => render({ ...context, csrfToken }),
        context.csrfToken !== null,
      );
      pages.set(cacheKey, template);
    }
    return template;
  };
  // Signed out, the home page depends on the configuration alone.
  const signedOutHome = new PageTemplate(
    () => renderHomePage(pageContextFor(services, null)),
    false,
  );

  app.get('/', async (request, reply) => {
    const session = await request.entraSession();
    if (session === null) return reply.type(HTML).send(signedOutHome.fill(null));
    const context = pageContextFor(services, session);
    return reply
      .type(HTML)
      .send(templateFor(['home'], context, renderHomePage).fill(context.csrfToken));
  });

  // Signed out, this answers 401 with a page that offers sign-in rather than redirecting: that is
  // the seed's behaviour, and what API-style clients expect.
  app.get('/token_details', { preHandler: app.requireSignIn }, async (request, reply) => {
    const session = await request.entraSession();
    if (session === null) return reply;
    const user = session.data.user;
    const now = services.now();
    // The claim tables change only with the sign-in and, for their relative times, the minute.
    const sectionsKey = `${user.key}|${user.signedInAt}|${Math.floor(now / 60_000)}`;
    const person = services.signIn.personOf(session);
    // The overage's groups come from Graph (kept for the session); when Graph cannot say, this
    // rejects with GROUPS_UNAVAILABLE, a 503, rather than show the person in no group.
    const groups = await services.signIn.groupsOf(session);
    const access = { roles: rolesOf(person), groups, fromGraph: hasGroupsOverage(person) };
    const context = pageContextFor(services, session);
    const template = templateFor(['token_details', sectionsKey, access], context, (context) =>
      renderTokenDetailsPage(
        context,
        renderClaimSections(user.claims, now, isEntraProvider(services.config)),
        access,
      ),
    );
    return reply.type(HTML).send(template.fill(context.csrfToken));
  });

  app.get('/healthz', () => ({ status: 'ok' }));
}
