/**
 * `entra-signin/fetch`: the sign-in routes, a guard and the signed-in person over web-standard
 * `Request` and `Response`, for Hono, Next.js route handlers, Bun and Deno.
 *
 * @example
 * const auth = await createFetchSignIn(fromEnv(process.env));
 * app.use(async (c, next) => (await auth.handle(c.req.raw)) ?? next());
 */
import { randomUUID } from 'node:crypto';
import { createEntraSignIn } from '../../core/create-entra-signin.js';
import type { EntraSignIn, EntraSignInRuntime } from '../../core/entra-signin.js';
import type { AccessRule } from '../../core/access-rule.js';
import { AppError, isAppError } from '../../core/errors.js';
import type { AuthRequest, AuthResponse } from '../../core/http/auth-request.js';
import type { AccessToken } from '../../core/tokens/api-tokens.js';
import type { GraphRequest } from '../../core/tokens/graph-client.js';
import type { EntraSignInOptions } from '../../core/options.js';
import type { ActiveSession } from '../../core/session/session-manager.js';
import type { SignedInPerson } from '../../core/signed-in-person.js';

/** What {@link createFetchSignIn} gives a fetch-style app. */
export interface FetchSignIn {
  /** The answer to one of the sign-in routes, or `null` for any other request. */
  handle(request: Request): Promise<Response | null>;
  /** The signed-in person, or `null`. */
  signedIn(request: Request): Promise<SignedInPerson | null>;
  /** The session (read once per request), or `null`. */
  session(request: Request): Promise<ActiveSession | null>;
  /** `null` when someone is signed in; else the answer for a signed-out visitor (401 or redirect). */
  requireSignIn(request: Request): Promise<Response | null>;
  /** `null` when the signed-in person passes the rule; else the answer to send (401, or 403). */
  requireAccess(request: Request, rule: AccessRule): Promise<Response | null>;
  /** An access token for `scopes` (the configured API scopes by default) of the signed-in person. */
  accessToken(request: Request, scopes?: readonly string[]): Promise<AccessToken>;
  /** Calls Microsoft Graph as the signed-in person (`GRAPH_URL` + path). */
  callGraph(request: Request, path: string, init?: GraphRequest): Promise<Response>;
  /** {@link callGraph}, parsed as JSON. */
  graphJson<T = Record<string, unknown>>(
    request: Request,
    path: string,
    init?: GraphRequest,
  ): Promise<T>;
  /**
   * The answer to an error of the library (for Hono's `app.onError`): a trip to the provider
   * when an API asked for consent or claims, else the error page or JSON; `null` for any other
   * error, which stays the host's.
   */
  errorResponse(request: Request, error: unknown): Promise<Response | null>;
  readonly core: EntraSignIn;
  close(): Promise<void>;
}

/** What the fetch adapter takes besides the core's runtime. */
export interface FetchSignInRuntime extends EntraSignInRuntime {
  /**
   * The client's address of a request, for the sessions page and the audit trail: a `Request`
   * does not carry it (Bun: `server.requestIP(request)?.address`; behind a proxy you trust, its
   * header). Unknown without it.
   */
  readonly clientAddress?: ((request: Request) => string | undefined) | undefined;
}

/** Creates the handler, guard and accessors from the library's options (or a core). */
export async function createFetchSignIn(
  options: EntraSignInOptions | EntraSignIn,
  runtime: FetchSignInRuntime = {},
): Promise<FetchSignIn> {
  const core = 'handle' in options ? options : await createEntraSignIn(options, runtime);
  const addressOf = runtime.clientAddress ?? (() => undefined);
  const toAuthRequest = (request: Request) => authRequestOf(request, addressOf);
  const sessions = new WeakMap<Request, Promise<ActiveSession | null>>();
  const session = (request: Request) => {
    let loaded = sessions.get(request);
    if (loaded === undefined) {
      // The session needs only the cookie header: no whole request view for it.
      loaded = core.readSession({ header: (name) => request.headers.get(name) ?? undefined });
      sessions.set(request, loaded);
    }
    return loaded;
  };
  const paths = new Set(core.routes.map((route) => `${route.method} ${route.path}`));
  const signedInSession = async (request: Request) => {
    const found = await session(request);
    if (found === null) throw new AppError('NOT_SIGNED_IN');
    return found;
  };
  return {
    core,
    accessToken: async (request, scopes) =>
      core.accessToken(await signedInSession(request), scopes),
    callGraph: async (request, path, init) =>
      core.callGraph(await signedInSession(request), path, init),
    graphJson: async <T>(request: Request, path: string, init?: GraphRequest) =>
      core.graphJson<T>(await signedInSession(request), path, init),
    errorResponse: async (request, error) =>
      isAppError(error)
        ? toResponse(await core.errorResponse(toAuthRequest(request), error))
        : null,
    handle: async (request) => {
      // Every request of the host passes here: the request view is built only for our routes.
      if (!paths.has(`${request.method} ${targetOf(request.url).path}`)) return null;
      const response = await core.handle(toAuthRequest(request));
      return response === null ? null : toResponse(response);
    },
    signedIn: async (request) => {
      const found = await session(request);
      return found === null ? null : core.personOf(found);
    },
    session,
    requireAccess: async (request, rule) => {
      const auth = toAuthRequest(request);
      try {
        const found = await session(request);
        if (found === null) return toResponse(core.signedOutResponse(auth));
        const decision = await core.decideAccess(found, rule);
        return decision.allowed
          ? null
          : toResponse(core.forbiddenResponse(auth, found, decision.missing));
      } catch (error) {
        return toResponse(await core.errorResponse(auth, error));
      }
    },
    requireSignIn: async (request) => {
      try {
        if ((await session(request)) !== null) return null;
      } catch (error) {
        return toResponse(await core.errorResponse(toAuthRequest(request), error));
      }
      return toResponse(core.signedOutResponse(toAuthRequest(request)));
    },
    close: () => core.close(),
  };
}

function authRequestOf(
  request: Request,
  addressOf: (request: Request) => string | undefined,
): AuthRequest {
  let id: string | undefined;
  const { path, query } = targetOf(request.url);
  return {
    method: request.method,
    path,
    query,
    header: (name) => request.headers.get(name) ?? undefined,
    // An id of its own, so the error page and the log line of a failure can be matched up;
    // made only when asked for, as almost every request never is.
    get id() {
      id ??= randomUUID();
      return id;
    },
    readForm: () => readForm(request),
    get address() {
      return addressOf(request);
    },
  };
}

// A Request's url is already parsed and serialized (WHATWG URL), so for http(s) its path is what
// lies between the host and `?` or `#`, exactly as `new URL(url).pathname` would give it, without
// parsing it again on every request. Any other scheme is left to URL.
function targetOf(url: string): { path: string; query: string } {
  const start = url.startsWith('https://') ? 8 : url.startsWith('http://') ? 7 : -1;
  if (start === -1) {
    const parsed = new URL(url);
    return { path: parsed.pathname, query: parsed.search.slice(1) };
  }
  const slash = url.indexOf('/', start);
  const hash = url.indexOf('#', start);
  const end = hash === -1 ? url.length : hash;
  if (slash === -1 || slash > end) return { path: '/', query: '' };
  const mark = url.indexOf('?', slash);
  if (mark === -1 || mark > end) return { path: url.slice(slash, end), query: '' };
  return { path: url.slice(slash, mark), query: url.slice(mark + 1, end) };
}

const MAX_FORM_BYTES = 64 * 1024;

// Read from a clone, so that the request stays readable, and at most as much as the other
// adapters read: a body past the limit is not buffered, and counts as no form at all.
async function readForm(request: Request): Promise<URLSearchParams> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) return new URLSearchParams();
  const reader = request.clone().body?.getReader();
  if (reader === undefined) return new URLSearchParams();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    size += chunk.value.byteLength;
    if (size > MAX_FORM_BYTES) {
      // Not awaited: a branch of a tee settles its cancel only once the other branch cancels.
      reader.cancel().catch(() => undefined);
      return new URLSearchParams();
    }
    text += decoder.decode(chunk.value, { stream: true });
  }
  return new URLSearchParams(text + decoder.decode());
}

function toResponse(response: AuthResponse): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== null) headers.set(name, value);
  }
  for (const cookie of response.cookies) headers.append('set-cookie', cookie);
  return new Response(response.body, { status: response.status, headers });
}

export type { SignedInPerson } from '../../core/signed-in-person.js';
