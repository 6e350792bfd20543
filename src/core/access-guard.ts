import {
  decideAccess,
  groupsInToken,
  type AccessDecision,
  type AccessRule,
} from './access-rule.js';
import { eventPersonOf } from './audit.js';
import { AppError, isAppError } from './errors.js';
import {
  ResponseDraft,
  returnPathOf,
  type AuthRequest,
  type AuthResponse,
} from './http/auth-request.js';
import { renderError } from './http/error-response.js';
import type { RouteContext } from './http/route-context.js';
import type { ActiveSession } from './session/session-manager.js';
import { personOf } from './signed-in-person.js';
import { isOnGraph, type GraphRequest } from './tokens/graph-client.js';

interface GraphPage {
  readonly value?: unknown;
  readonly '@odata.nextLink'?: unknown;
}

type GraphJson = (session: ActiveSession, path: string, init: GraphRequest) => Promise<GraphPage>;

// Entra lists at most 11 000 memberships in one answer; a hundred pages of anything is a loop.
const MAX_PAGES = 100;

/**
 * The guards' decisions: a rule over the person's roles, groups and claims, with the groups
 * overage resolved through Graph (`POST {GRAPH_URL}/v1.0/me/getMemberObjects`, never the
 * endpoint the token names) once per sign-in and kept in the session's token record.
 */
export class AccessGuard {
  readonly #context: RouteContext;
  readonly #graphJson: GraphJson;

  constructor(context: RouteContext, graphJson: GraphJson) {
    this.#context = context;
    this.#graphJson = graphJson;
  }

  /** Whether the session's person passes `rule`; never decided without the groups it needs. */
  async decide(session: ActiveSession, rule: AccessRule): Promise<AccessDecision> {
    return decideAccess(rule, personOf(session.data.user), () => this.groupsOf(session));
  }

  /** The person's group object ids: from the token, or through Graph for the overage. */
  async groupsOf(session: ActiveSession): Promise<readonly string[]> {
    const inToken = groupsInToken(personOf(session.data.user));
    if (inToken !== null) return inToken;
    return this.#context.tokens.cachedGroups(session, () => this.#groupsFromGraph(session));
  }

  /** The 403 answer (a page, or JSON by `Accept`) naming what is missing; audited. */
  forbidden(request: AuthRequest, session: ActiveSession, missing: string): AuthResponse {
    const error = new AppError('ACCESS_DENIED', `Access denied: ${missing} is missing`, {
      facts: { missing },
    });
    this.#context.audit(request, {
      type: 'access-denied',
      status: 403,
      path: request.path,
      person: eventPersonOf(session.data.user),
      session: this.#context.directory.handleOf(session),
      missing,
    });
    return renderError(
      this.#context,
      request,
      error,
      new ResponseDraft(),
      session,
      returnPathOf(request),
    );
  }

  // getMemberObjects answers every group (transitive ones included) in one call where
  // transitiveMemberOf pages a hundred at a time: one request per sign-in, as a rule. Should
  // Graph page it anyway, its `@odata.nextLink` is followed (with GET, as Graph's SDKs do), and
  // only on GRAPH_URL's origin: a link elsewhere is refused before any token goes with it.
  async #groupsFromGraph(session: ActiveSession): Promise<string[]> {
    const groups: string[] = [];
    let page = await this.#page(session, '/v1.0/me/getMemberObjects', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ securityEnabledOnly: false }),
    });
    for (let pages = 1; ; pages++) {
      if (!Array.isArray(page.value)) {
        throw new AppError('GROUPS_UNAVAILABLE', 'Graph answered without a list of groups');
      }
      groups.push(...page.value.filter((id): id is string => typeof id === 'string'));
      const next = page['@odata.nextLink'];
      if (typeof next !== 'string') return [...new Set(groups)];
      if (pages >= MAX_PAGES) {
        throw new AppError('GROUPS_UNAVAILABLE', `Graph paged the groups past ${MAX_PAGES} pages`);
      }
      if (!isOnGraph(this.#context.options.api.graphUrl, next)) {
        throw new AppError('GROUPS_UNAVAILABLE', "Graph's next page of groups is elsewhere");
      }
      page = await this.#page(session, next, {});
    }
  }

  async #page(session: ActiveSession, pathOrUrl: string, init: GraphRequest): Promise<GraphPage> {
    try {
      return await this.#graphJson(session, pathOrUrl, init);
    } catch (error) {
      // A trip to the provider, or "sign in again", stays what it is; Graph's silence is a 503.
      if (isAppError(error) && error.code !== 'API_UNREACHABLE') throw error;
      throw new AppError('GROUPS_UNAVAILABLE', 'Graph did not list the groups', { cause: error });
    }
  }
}
