import { AppError } from '../errors.js';
import type { ProviderFetch } from '../provider/provider-connection.js';
import type { ActiveSession } from '../session/session-manager.js';
import type { ApiTokens } from './api-tokens.js';
import { claimsChallengeOf } from './claims-challenge.js';

/** A request to Microsoft Graph on the signed-in person's behalf. */
export interface GraphRequest {
  readonly method?: string | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly body?: string | undefined;
  /** The scopes the call needs; the configured API scopes by default. */
  readonly scopes?: readonly string[] | undefined;
}

/** Where Graph is, how to reach it, and whose tokens to send. */
export interface GraphSettings {
  readonly tokens: ApiTokens;
  readonly graphUrl: string;
  readonly fetch: ProviderFetch;
  readonly timeoutMs: number;
}

const MAX_ATTEMPTS = 3;
// A wait longer than this is not worth holding a page for: the caller gets the 429 instead.
const MAX_RETRY_WAIT_MS = 10_000;

/**
 * Calls Microsoft Graph as the signed-in person and returns its answer. The token goes to
 * `GRAPH_URL` only: the path is resolved against it, and a URL on any other origin (a paging
 * link included) is refused before any token is fetched. Graph's throttling (429, 503 with
 * `Retry-After`) is waited out a few times; a claims challenge becomes a trip to the provider
 * (`API_INTERACTION_REQUIRED`); a token Graph refuses otherwise is dropped and fetched again
 * once. No answer at all is `API_UNREACHABLE`.
 *
 * @see https://learn.microsoft.com/graph/throttling
 */
export async function callGraph(
  deps: GraphSettings,
  session: ActiveSession,
  pathOrUrl: string,
  init: GraphRequest = {},
): Promise<Response> {
  const url = graphUrlOf(deps.graphUrl, pathOrUrl);
  let token = await deps.tokens.accessToken(session, init.scopes);
  let renewed = false;
  for (let attempt = 1; ; attempt++) {
    const response = await send(deps, url, init, token.token);
    const challenge = claimsChallengeOf(response);
    if (challenge !== null) {
      await response.body?.cancel();
      return deps.tokens.requireInteraction(session, { scopes: token.scopes, claims: challenge });
    }
    if (response.status === 401 && !renewed) {
      // Revoked or expired early (a Continuous Access Evaluation event, say): one fresh token.
      await response.body?.cancel();
      token = await deps.tokens.accessToken(session, init.scopes, { refused: token.token });
      renewed = true;
      continue;
    }
    const wait = retryWaitOf(response, attempt, init.method ?? 'GET');
    if (wait === null || attempt >= MAX_ATTEMPTS) return response;
    await response.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** Calls Graph and parses its JSON answer; a failure status is `API_UNREACHABLE`. */
export async function graphJson<T = Record<string, unknown>>(
  deps: GraphSettings,
  session: ActiveSession,
  pathOrUrl: string,
  init: GraphRequest = {},
): Promise<T> {
  const response = await callGraph(deps, session, pathOrUrl, init);
  if (!response.ok) {
    await response.body?.cancel();
    throw new AppError('API_UNREACHABLE', `Microsoft Graph answered ${response.status}`, {
      facts: { graphStatus: response.status },
    });
  }
  try {
    return (await response.json()) as T;
  } catch (cause) {
    throw new AppError('API_UNREACHABLE', 'Microsoft Graph answered with no JSON', { cause });
  }
}

/** Whether `url` is on GRAPH_URL's origin (a link Graph gave, such as `@odata.nextLink`). */
export function isOnGraph(graphUrl: string, url: string): boolean {
  return graphUrl !== '' && URL.canParse(url) && new URL(url).origin === new URL(graphUrl).origin;
}

/** `pathOrUrl` resolved against Graph's origin; throws for a URL anywhere else. */
export function graphUrlOf(graphUrl: string, pathOrUrl: string): URL {
  if (graphUrl === '') {
    // Another provider than Entra: its tokens are not Graph's to receive, unless told so.
    throw new AppError(
      'CONFIG_INVALID',
      'callGraph needs api.graphUrl (GRAPH_URL) with this provider',
    );
  }
  const base = new URL(graphUrl);
  const relative = pathOrUrl.startsWith('/') && !/^\/[/\\]/.test(pathOrUrl);
  const url = relative
    ? new URL(base.origin + pathOrUrl)
    : URL.canParse(pathOrUrl)
      ? new URL(pathOrUrl)
      : null;
  if (url === null || url.origin !== base.origin) {
    // A programming error, never the person's: the message names no URL, which may hold data.
    throw new AppError('INTERNAL', 'callGraph takes a path (or a URL) on GRAPH_URL only');
  }
  return url;
}

async function send(
  deps: GraphSettings,
  url: URL,
  init: GraphRequest,
  token: string,
): Promise<Response> {
  try {
    return await deps.fetch(url.href, {
      method: init.method ?? 'GET',
      headers: { ...init.headers, authorization: `Bearer ${token}` },
      ...(init.body === undefined ? {} : { body: init.body }),
      // A redirect could carry the token to another origin: Graph's own answers never need one.
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.timeoutMs),
    });
  } catch (cause) {
    throw new AppError('API_UNREACHABLE', 'Microsoft Graph did not answer', { cause });
  }
}

// A 429 says the request was not done, so any method is sent again; a 503 or 504 may come after
// Graph did it, so only a method that may be repeated (RFC 9110 §9.2.2) is.
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

function retryWaitOf(response: Response, attempt: number, method: string): number | null {
  const unavailable = response.status === 503 || response.status === 504;
  if (response.status !== 429 && !(unavailable && IDEMPOTENT.has(method.toUpperCase()))) {
    return null;
  }
  const header = response.headers.get('retry-after');
  let wait = 500 * 2 ** (attempt - 1);
  if (header !== null) {
    const seconds = Number(header);
    wait = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  }
  return Number.isFinite(wait) && wait <= MAX_RETRY_WAIT_MS ? Math.max(0, wait) : null;
}
