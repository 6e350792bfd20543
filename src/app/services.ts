import type { EntraSignIn } from '../core/entra-signin.js';
import type { PageContext as LibraryPageContext } from '../core/http/default-pages.js';
import type { PageRenderers } from '../core/http/default-pages.js';
import type { ActiveSession } from '../core/session/session-manager.js';
import { MICROSOFT_CLOUD_HOSTS } from '../core/entra/entra-tenant.js';
import type { Config } from './config.js';
import { renderErrorPage } from './pages/error-page.js';
import type { PageContext } from './pages/layout.js';
import { renderSignedOutPage, renderSignOutPage } from './pages/sign-out-pages.js';

/** What the app's routes share: built once by `buildApp`. */
export interface AppServices {
  readonly config: Config;
  readonly signIn: EntraSignIn;
  readonly now: () => number;
}

/** The page context for a request with this session (or none). */
export function pageContextFor(services: AppServices, session: ActiveSession | null): PageContext {
  return appContext(services.config, services.signIn.pageContext(session));
}

function appContext(config: Config, context: LibraryPageContext): PageContext {
  return {
    userName: context.person?.name ?? null,
    csrfToken: context.csrfToken,
    devMode: config.devIdp !== null,
    redirectUri: config.redirectUri,
    entra: isEntraProvider(config),
  };
}

/** Whether the provider is Entra ID, or the development provider shaped like it. */
export function isEntraProvider(config: Config): boolean {
  return (
    config.devIdp !== null ||
    MICROSOFT_CLOUD_HOSTS.includes(new URL(config.oidc.authority).hostname)
  );
}

/** The app's pages for the library's routes (sign-out, signed out, errors). */
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
  };
}
