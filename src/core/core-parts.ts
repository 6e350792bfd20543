import { AccessGuard } from './access-guard.js';
import { auditTrail, eventPersonOf } from './audit.js';
import type { SignInEvent } from './events.js';
import type { AuthRequest, AuthResponse } from './http/auth-request.js';
import {
  defaultPages,
  type AuthPaths,
  type PageContext,
  type PageRenderers,
} from './http/default-pages.js';
import type { RouteContext } from './http/route-context.js';
import { silentLogger, type Logger } from './logger.js';
import type { SignInMetrics } from './metrics.js';
import type { ResolvedOptions } from './options.js';
import { ProviderConnection, type ProviderFetch } from './provider/provider-connection.js';
import { AttemptCookies } from './session/attempt-cookies.js';
import { SealingKeys } from './session/sealed-value.js';
import { SessionDirectory } from './session/session-directory.js';
import { SessionHandles } from './session/session-handle.js';
import { SessionManager, type ActiveSession } from './session/session-manager.js';
import type { SessionStore } from './session/session-store.js';
import { ApiTokens } from './tokens/api-tokens.js';
import { graphJson, type GraphSettings } from './tokens/graph-client.js';

/** What a host app plugs in besides the options: hooks, pages, and (for tests) the clock. */
export interface EntraSignInRuntime {
  /** Where the library logs when a request brings no logger of its own. */
  readonly logger?: Logger | undefined;
  /**
   * Called for every event of the audit trail: sign-in, failed sign-in, sign-out, ended
   * sessions, refused access (see {@link SignInEvent}). Each is also logged (`msg: 'audit'`).
   */
  readonly onEvent?: ((event: SignInEvent) => void) | undefined;
  /**
   * Measurements for the host's metrics that events do not carry (how long token refreshes
   * take); see {@link SignInMetrics}. Sign-in outcomes are `onEvent`'s.
   */
  readonly metrics?: SignInMetrics | undefined;
  /** Pages to answer with instead of the plain built-in ones. */
  readonly pages?: Partial<PageRenderers> | undefined;
  /** How the library reaches the provider (tests route Microsoft's hosts to a local fake). */
  readonly fetch?: ProviderFetch | undefined;
  readonly now?: (() => number) | undefined;
  /**
   * Whether to start the development identity provider when the options name it (default
   * true); false when the caller runs it already.
   */
  readonly startDevelopmentProvider?: boolean | undefined;
}

/** The parts the core is made of, wired together once. */
export interface CoreParts {
  readonly provider: ProviderConnection;
  readonly sessions: SessionManager;
  readonly tokens: ApiTokens;
  readonly graph: GraphSettings;
  readonly access: AccessGuard;
  readonly context: RouteContext;
  readonly logger: Logger;
}

/** Where the library's routes are, under the prefix. */
function pathsOf(options: ResolvedOptions): AuthPaths {
  const p = options.routePrefix;
  return Object.freeze({
    signIn: `${p}/sign_in`,
    redirect: `${p}/redirect`,
    signOut: `${p}/sign_out`,
    postSignOut: `${p}/post_sign_out`,
    frontChannelLogout: `${p}/front_channel_logout`,
    backChannelLogout: `${p}/back_channel_logout`,
    sessions: options.sessionsPage,
  });
}

/** What the routes need of the core itself (called only once it is built). */
export interface CoreCallbacks {
  readSession(request: AuthRequest): Promise<ActiveSession | null>;
  pageContext(session: ActiveSession | null): PageContext;
  signedOutResponse(request: AuthRequest): AuthResponse;
}

/** Builds the parts of the core and wires them together. */
export function buildCoreParts(
  options: ResolvedOptions,
  store: SessionStore,
  runtime: EntraSignInRuntime,
  core: CoreCallbacks,
): CoreParts {
  const now = runtime.now ?? Date.now;
  const logger = runtime.logger ?? silentLogger;
  const logFor = (request: AuthRequest | null) => request?.log ?? logger;
  const audit = auditTrail(logFor, now, runtime.onEvent);
  const provider = new ProviderConnection(options.oidc, { fetch: runtime.fetch, now });
  const sessions = new SessionManager(store, {
    idleTimeoutMs: options.session.idleTimeoutMs,
    absoluteTimeoutMs: options.session.absoluteTimeoutMs,
    now,
  });
  const secret = options.session.secrets[0] ?? '';
  const directory = new SessionDirectory(sessions, new SessionHandles(secret));
  const tokens = new ApiTokens({
    settings: options.api,
    provider,
    sessions,
    now,
    metrics: runtime.metrics,
    onSessionEnded: (session: ActiveSession) => {
      const person = eventPersonOf(session.data.user);
      audit(null, {
        type: 'sessions-ended',
        endedBy: 'refresh',
        count: 1,
        person,
        sessions: [directory.handleOf(session)],
        actor: null,
      });
    },
  });
  const graph: GraphSettings = {
    tokens,
    graphUrl: options.api.graphUrl,
    fetch: runtime.fetch ?? ((url, init) => fetch(url, init)),
    timeoutMs: options.oidc.timeoutSeconds * 1000,
  };
  const context: RouteContext = {
    options,
    provider,
    sessions,
    tokens,
    directory,
    attempts: new AttemptCookies(options.session),
    signOutStates: new SealingKeys(options.session.secrets, 'sign-out state'),
    pages: { ...defaultPages, ...runtime.pages },
    paths: pathsOf(options),
    now,
    logFor,
    readSession: (request) => core.readSession(request),
    pageContext: (session) => core.pageContext(session),
    audit,
    signedOutResponse: (request) => core.signedOutResponse(request),
  };
  const access = new AccessGuard(context, (session, path, init) =>
    graphJson(graph, session, path, init),
  );
  return { provider, sessions, tokens, graph, access, context, logger };
}
