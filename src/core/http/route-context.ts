import type { SignInEvent } from '../events.js';
import type { Logger } from '../logger.js';
import type { ResolvedOptions } from '../options.js';
import type { ProviderConnection } from '../provider/provider-connection.js';
import type { AttemptCookies } from '../session/attempt-cookies.js';
import type { SealingKeys } from '../session/sealed-value.js';
import type { ActiveSession, SessionManager } from '../session/session-manager.js';
import type { ApiTokens } from '../tokens/api-tokens.js';
import type { AuthRequest } from './auth-request.js';
import type { AuthPaths, PageContext, PageRenderers } from './default-pages.js';

/** What the route handlers share; built once by `createEntraSignIn`. */
export interface RouteContext {
  readonly options: ResolvedOptions;
  readonly provider: ProviderConnection;
  readonly sessions: SessionManager;
  readonly tokens: ApiTokens;
  readonly attempts: AttemptCookies;
  /** Seals the `state` of a sign-out into the cookie that `post_sign_out` checks it against. */
  readonly signOutStates: SealingKeys;
  readonly pages: PageRenderers;
  readonly paths: AuthPaths;
  readonly now: () => number;
  logFor(request: AuthRequest): Logger;
  readSession(request: AuthRequest): Promise<ActiveSession | null>;
  pageContext(session: ActiveSession | null): PageContext;
  emit(event: SignInEvent): void;
}
