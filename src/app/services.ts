import type { EntraSignIn } from '../core/entra-signin.js';
import { rolesOf } from '../core/access-rule.js';
import type { PageContext as LibraryPageContext } from '../core/http/default-pages.js';
import type { PageRenderers } from '../core/http/default-pages.js';
import type { ActiveSession } from '../core/session/session-manager.js';
import { MICROSOFT_CLOUD_HOSTS } from '../core/entra/entra-tenant.js';
import type { AuditBuffer } from './audit-buffer.js';
import type { Config } from './config.js';
import { renderErrorPage } from './pages/error-page.js';
import type { PageContext } from './pages/layout.js';
import { renderSessionsPage } from './pages/sessions-page.js';
import { renderSignedOutPage, renderSignOutPage } from './pages/sign-out-pages.js';

/** What the app's routes share: built once by `buildApp`. */
export interface AppServices {
  readonly config: Config;
  readonly signIn: EntraSignIn;
  readonly now: () => number;
  /** The latest audit events of this process, for the admin page. */
  readonly auditEvents: AuditBuffer;
}

/** The page context for a request with this session (or none). */
export function pageContextFor(services: AppServices, session: ActiveSession | null): PageContext {
  return appContext(services.config, services.signIn.pageContext(session));
}

function appContext(config: Config, context: LibraryPageContext): PageContext {
  const { person } = context;
  return {
    userName: person?.name ?? null,
    username: person?.username ?? null,
    csrfToken: context.csrfToken,
    sessionsPath: person === null ? null : context.paths.sessions,
    // Only to show the link: /admin itself is guarded by the same role (routes/admin.ts).
    isAdmin: person !== null && rolesOf(person).includes(config.adminRole),
    devMode: config.devIdp !== null,
    redirectUri: config.redirectUri,
    entra: isEntraProvider(config),
    graph: hasGraph(config),
  };
}

/**
 * Whether the app can call Microsoft Graph: API scopes to ask for, and a GRAPH_URL (another
 * provider than Entra has neither by default, and its tokens are not Graph's).
 */
export function hasGraph(config: Config): boolean {
  return config.api.scopes.length > 0 && config.api.graphUrl !== '';
}

// Asked on every page; the answer depends on the configuration alone (parsing the authority's
// URL each time was a measurable share of a page's CPU time).
const entraByConfig = new WeakMap<Config, boolean>();

/** Whether the provider is Entra ID, or the development provider shaped like it. */
export function isEntraProvider(config: Config): boolean {
  let entra = entraByConfig.get(config);
  if (entra === undefined) {
    entra =
      config.devIdp !== null ||
      MICROSOFT_CLOUD_HOSTS.includes(new URL(config.oidc.authority).hostname);
    entraByConfig.set(config, entra);
  }
  return entra;
}

/** The app's pages for the library's routes (sign-out, signed out, sessions, errors). */
export function appPages(config: Config): PageRenderers {
  return {
    signOut: (context) => renderSignOutPage(appContext(config, context)),
    signedOut: (context) =>
      renderSignedOutPage(appContext(config, context), context.providerConfirmed),
    error: (context) =>
      renderErrorPage(appContext(config, context), context.error, {
        correlationId: context.correlationId,
        returnTo: context.returnTo,
      }),
    sessions: (context) =>
      renderSessionsPage(appContext(config, context), {
        sessions: context.sessions,
        notice: context.notice,
        paths: context.paths,
        // The store records activity at most every tenth of the idle timeout (SessionManager).
        lastActiveWithinMs: config.session.idleTimeoutMs / 10,
      }),
  };
}
