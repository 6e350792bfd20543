import { eventPersonOf } from './audit.js';
import { buildCoreParts, type EntraSignInRuntime } from './core-parts.js';
import { AppError, isAppError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import type { ProviderConnection } from './provider/provider-connection.js';
import { createCsrfToken, verifyCsrfToken } from './session/csrf.js';
import { readCookies, unsignCookieValue } from './session/session-cookie.js';
import type { OwnSession, PersonWithSessions } from './session/session-directory.js';
import type { ActiveSession, SessionManager } from './session/session-manager.js';
import type { AppSessionData, SessionStore } from './session/session-store.js';
import { personOf, type SignedInPerson } from './signed-in-person.js';
import {
  ResponseDraft,
  returnPathOf,
  wantsJson,
  type AuthRequest,
  type AuthResponse,
} from './http/auth-request.js';
import { errorResponse, renderError } from './http/error-response.js';
import type { AuthPaths, PageContext } from './http/default-pages.js';
import type { RouteContext } from './http/route-context.js';
import { routesOf, type AuthRoute, type Handler } from './http/route-table.js';
import type { ApiTokens, AccessToken } from './tokens/api-tokens.js';
import type { AccessDecision, AccessRule } from './access-rule.js';
import type { AccessGuard } from './access-guard.js';
import { claimsChallengeOf } from './tokens/claims-challenge.js';
import {
  callGraph,
  graphJson,
  type GraphRequest,
  type GraphSettings,
} from './tokens/graph-client.js';

export type { EntraSignInRuntime } from './core-parts.js';
export type { AuthRoute } from './http/route-table.js';

const PURGE_INTERVAL_MS = 10 * 60 * 1000;

/**
 * The framework-free core: the sign-in routes as a function from {@link AuthRequest} to
 * {@link AuthResponse}, the signed-in person of a request, and the guard's answer. Adapters
 * translate their framework's requests to and from these; every check lives here.
 */
export class EntraSignIn {
  readonly options: ResolvedOptions;
  readonly provider: ProviderConnection;
  readonly sessions: SessionManager;
  /** The sessions' access tokens for APIs. */
  readonly tokens: ApiTokens;
  readonly paths: AuthPaths;
  /** The routes an adapter registers; each is answered by {@link handle}. */
  readonly routes: readonly AuthRoute[];
  readonly #store: SessionStore;
  readonly #context: RouteContext;
  readonly #handlers: ReadonlyMap<string, Handler>;
  readonly #purge: NodeJS.Timeout;
  readonly #onClose: (() => Promise<void>)[] = [];
  readonly #graph: GraphSettings;
  readonly #access: AccessGuard;

  constructor(options: ResolvedOptions, store: SessionStore, runtime: EntraSignInRuntime = {}) {
    this.options = options;
    this.#store = store;
    const parts = buildCoreParts(options, store, runtime, {
      readSession: (request) => this.readSession(request),
      pageContext: (session) => this.pageContext(session),
      signedOutResponse: (request) => this.signedOutResponse(request),
    });
    this.provider = parts.provider;
    this.sessions = parts.sessions;
    this.tokens = parts.tokens;
    this.#graph = parts.graph;
    this.#access = parts.access;
    this.#context = parts.context;
    this.paths = parts.context.paths;
    const handlers = routesOf(this.paths);
    this.routes = Object.freeze(handlers.map(([method, path]) => Object.freeze({ method, path })));
    this.#handlers = new Map(
      handlers.map(([method, path, handler]) => [`${method} ${path}`, handler]),
    );
    this.#purge = setInterval(() => {
      this.sessions.purgeExpired().catch((error: unknown) => {
        parts.logger.warn({ err: error }, 'could not purge expired sessions');
      });
    }, PURGE_INTERVAL_MS);
    this.#purge.unref();
  }

  /**
   * Answers a request to one of {@link routes}; `null` for any other request, which the adapter
   * passes on to the host app. Never throws: failures are answered with an error page or JSON.
   */
  async handle(request: AuthRequest): Promise<AuthResponse | null> {
    const handler = this.#handlers.get(`${request.method} ${request.path}`);
    if (handler === undefined) return null;
    const draft = new ResponseDraft();
    try {
      return await handler(this.#context, request, draft);
    } catch (error) {
      const appError = toAppError(error);
      if (request.path === this.paths.redirect) {
        this.#context.audit(request, {
          type: 'sign-in-failed',
          code: appError.code,
          providerCode: appError.providerCode,
        });
      }
      return errorResponse(this.#context, request, appError, error, draft);
    }
  }

  /**
   * The request's session, or `null` when its cookie is missing, tampered with, unknown or
   * expired: all of these mean "signed out". Rejects with `SESSION_STORE_UNAVAILABLE` when the
   * store fails. Adapters call it once per request and keep the answer.
   */
  async readSession(request: Pick<AuthRequest, 'header'>): Promise<ActiveSession | null> {
    const { cookieName, secrets } = this.options.session;
    const raw = readCookies(request.header('cookie'))[cookieName];
    if (raw === undefined) return null;
    const id = unsignCookieValue(raw, secrets);
    return id === null ? null : this.sessions.load(id);
  }

  /** The person a session belongs to. */
  personOf(session: ActiveSession): SignedInPerson {
    return personOf(session.data.user);
  }

  /** A CSRF token for forms of this session (the sign-out form takes it as `csrf_token`). */
  csrfTokenFor(session: ActiveSession): string {
    return createCsrfToken(session.data);
  }

  /** Whether a submitted CSRF token belongs to this session. */
  verifyCsrfToken(session: ActiveSession, token: unknown): boolean {
    return verifyCsrfToken(session.data, token);
  }

  /**
   * An access token for `scopes` (the configured API scopes by default), from the session's
   * cache or refreshed. Rejects with an error that {@link errorResponse} answers: a trip to the
   * provider (`API_INTERACTION_REQUIRED`), "sign in again", or a 503.
   */
  async accessToken(session: ActiveSession, scopes?: readonly string[]): Promise<AccessToken> {
    return this.tokens.accessToken(session, scopes);
  }

  /** Calls Microsoft Graph (`GRAPH_URL` + path) as the person; see `callGraph`. */
  async callGraph(session: ActiveSession, path: string, init?: GraphRequest): Promise<Response> {
    return callGraph(this.#graph, session, path, init);
  }

  /** {@link callGraph}, parsed as JSON; a failure status rejects with `API_UNREACHABLE`. */
  async graphJson<T = Record<string, unknown>>(
    session: ActiveSession,
    path: string,
    init?: GraphRequest,
  ): Promise<T> {
    return graphJson<T>(this.#graph, session, path, init);
  }

  /**
   * Whether the session's person passes `rule` (app roles, groups, a check of the host's own);
   * see {@link AccessGuard.decide}. Rejects with `GROUPS_UNAVAILABLE` when Graph cannot say.
   */
  async decideAccess(session: ActiveSession, rule: AccessRule): Promise<AccessDecision> {
    return this.#access.decide(session, rule);
  }

  /** The person's group object ids: from the token, or through Graph for the overage. */
  async groupsOf(session: ActiveSession): Promise<readonly string[]> {
    return this.#access.groupsOf(session);
  }

  /** What a guarded route answers a signed-in person the rule does not let in: 403. */
  forbiddenResponse(request: AuthRequest, session: ActiveSession, missing: string): AuthResponse {
    return this.#access.forbidden(request, session, missing);
  }

  /**
   * For calls to APIs of the host's own: rejects with `API_INTERACTION_REQUIRED` when the API's
   * answer is a Conditional Access claims challenge, so the person is sent to satisfy it.
   */
  async checkClaimsChallenge(
    session: ActiveSession,
    response: Response,
    scopes?: readonly string[],
  ): Promise<void> {
    const claims = claimsChallengeOf(response);
    if (claims === null) return;
    await this.tokens.requireInteraction(session, {
      scopes: scopes ?? this.options.api.scopes,
      claims,
    });
  }

  /** The person's live sessions ("where you're signed in"), newest first, this one marked. */
  async sessionsOf(session: ActiveSession): Promise<OwnSession[]> {
    return this.#context.directory.list(session);
  }

  /** The opaque handle that names a session on pages and in audit events. */
  sessionHandleOf(session: ActiveSession): string {
    return this.#context.directory.handleOf(session);
  }

  /** People with live sessions, most recently active first: an administrator's overview. */
  async peopleWithSessions(limit = 200): Promise<PersonWithSessions[]> {
    return this.#context.directory.people(limit);
  }

  /** One person's live sessions, summed up (`null` when none), whoever the overview lists. */
  async personWithSessions(personKey: string): Promise<PersonWithSessions | null> {
    return this.#context.directory.person(personKey);
  }

  /**
   * Ends every session of one person, and with them their API tokens: an administrator's action
   * (the host checks who may), audited with `actor`. Returns how many sessions ended.
   */
  async endSessionsOf(
    request: AuthRequest,
    actor: ActiveSession,
    personKey: string,
  ): Promise<number> {
    const ended = await this.#context.directory.endAllOf(personKey);
    this.#context.audit(request, {
      type: 'sessions-ended',
      endedBy: 'admin',
      count: ended.count,
      // Named by the key the administrator gave when no session of theirs was left to say more.
      person:
        ended.user === null
          ? { key: personKey, name: '', username: undefined, oid: undefined, tid: undefined }
          : eventPersonOf(ended.user),
      sessions: ended.handles,
      actor: eventPersonOf(actor.data.user),
    });
    return ended.count;
  }

  /** Stores the host app's own fields in a session (the library never reads them). */
  async saveAppData(session: ActiveSession, data: AppSessionData): Promise<ActiveSession> {
    return this.sessions.saveAppData(session, data);
  }

  /**
   * What a guarded route answers to a signed-out visitor: 401 (a page, or JSON by `Accept`), or
   * with `whenSignedOut: 'redirect'` a redirect to sign-in that comes back to the page.
   */
  signedOutResponse(request: AuthRequest): AuthResponse {
    const draft = new ResponseDraft();
    const returnTo = returnPathOf(request);
    this.#context.audit(request, {
      type: 'access-denied',
      status: 401,
      path: request.path,
      person: null,
      session: null,
      missing: null,
    });
    if (
      this.options.whenSignedOut === 'redirect' &&
      request.method === 'GET' &&
      !wantsJson(request)
    ) {
      return draft.redirect(
        `${this.paths.signIn}?post_sign_in_url=${encodeURIComponent(returnTo)}`,
        302,
      );
    }
    const error = new AppError('NOT_SIGNED_IN');
    return renderError(this.#context, request, error, draft, null, returnTo);
  }

  /** The answer for an error of the host app's own, in the library's pages (or JSON). */
  async errorResponse(request: AuthRequest, error: unknown): Promise<AuthResponse> {
    // A route that took a token without the guard answers a signed-out visitor as the guard does.
    if (isAppError(error) && error.code === 'NOT_SIGNED_IN') return this.signedOutResponse(request);
    return errorResponse(this.#context, request, toAppError(error), error, new ResponseDraft());
  }

  /** The context the pages are rendered with. */
  pageContext(session: ActiveSession | null): PageContext {
    return {
      person: session === null ? null : personOf(session.data.user),
      csrfToken: session === null ? null : createCsrfToken(session.data),
      paths: this.paths,
    };
  }

  /** Runs `work` when {@link close} is called (the development provider, for one). */
  onClose(work: () => Promise<void>): void {
    this.#onClose.push(work);
  }

  /** Stops the purge timer and closes the session store (and what {@link onClose} added). */
  async close(): Promise<void> {
    clearInterval(this.#purge);
    await Promise.allSettled([this.#store.close(), ...this.#onClose.map((work) => work())]);
  }
}

function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  return new AppError('INTERNAL', 'Unexpected error', { cause: error });
}
