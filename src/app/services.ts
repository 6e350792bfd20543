import type { ProviderConnection } from '../core/provider/provider-connection.js';
import type { Config } from './config.js';
import type { ActiveSession } from '../core/session/session-manager.js';
import { createCsrfToken } from '../core/session/csrf.js';
import type { PageContext } from './pages/layout.js';
import type { WebSessions } from './web-sessions.js';

/** What the routes share: built once by `buildApp`. */
export interface AppServices {
  readonly config: Config;
  readonly provider: ProviderConnection;
  readonly sessions: WebSessions;
  readonly now: () => number;
}

/** The page context for a request with this session (or none). */
export function pageContextFor(services: AppServices, session: ActiveSession | null): PageContext {
  const user = session?.data.user ?? null;
  return {
    userName: user?.name ?? null,
    csrfToken: user !== null && session !== null ? createCsrfToken(session.data) : null,
    devMode: services.config.devIdp !== null,
    redirectUri: services.config.redirectUri,
  };
}
