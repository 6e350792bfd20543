import type { Audit } from '../audit.js';
import type { Logger } from '../logger.js';
import type { ResolvedOptions } from '../options.js';
import type { ProviderConnection } from '../provider/provider-connection.js';
import type { AttemptCookies } from '../session/attempt-cookies.js';
import type { SealingKeys } from '../session/sealed-value.js';
import type { SessionDirectory } from '../session/session-directory.js';
import type { ActiveSession, SessionManager } from '../session/session-manager.js';
import type { ApiTokens } from '../tokens/api-tokens.js';
import type { AuthRequest, AuthResponse } from './auth-request.js';
import type { AuthPaths, PageContext, PageRenderers } from './default-pages.js';

/** What the route handlers share; built once by `createEntraSignIn`. */
export interface RouteContext {
  readonly options: ResolvedOptions;
  readonly provider: ProviderConnection;
  readonly sessions: SessionManager;
  readonly tokens: ApiTokens;
  /** People's sessions, listed and ended by handle. */
  readonly directory: SessionDirectory;
  readonly attempts: AttemptCookies;
  /** Seals the `state` of a sign-out into the cookie that `post_sign_out` checks it against. */
  readonly signOutStates: SealingKeys;
  readonly pages: PageRenderers;
  readonly paths: AuthPaths;
  readonly now: () => number;
  logFor(request: AuthRequest): Logger;
  readSession(request: AuthRequest): Promise<ActiveSession | null>;
  pageContext(session: ActiveSession | null): PageContext;
  /** Reports an event to the audit trail (a log line and the host's `onEvent`). */
  readonly audit: Audit;
  /** What a signed-out visitor of a page that needs a session gets (401, or a redirect). */
  signedOutResponse(request: AuthRequest): AuthResponse;
}
