/**
 * `entra-signin/express`: the sign-in routes as an Express router, a guard middleware, and the
 * signed-in person of a request. The router answers only its own routes and passes every other
 * request on; the host's error handler, body parsers and headers stay untouched.
 *
 * @example
 * const auth = await entraSignIn(fromEnv(process.env));
 * app.use(auth.router);
 * app.get('/me', auth.requireSignIn, async (req, res) => res.json(await auth.signedIn(req)));
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
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

/** The request and response as this adapter uses them (Express's, or any connect-style pair). */
type Request = IncomingMessage & { originalUrl?: string; body?: unknown; ip?: string | undefined };
type Next = (error?: unknown) => void;
type Middleware = (req: Request, res: ServerResponse, next: Next) => void;
type ErrorMiddleware = (error: unknown, req: Request, res: ServerResponse, next: Next) => void;

/** What {@link entraSignIn} gives an Express app. */
export interface EntraSignInExpress {
  /** Mount with `app.use(auth.router)`: answers the sign-in routes, passes on the rest. */
  readonly router: Middleware;
  /** A middleware that lets only signed-in people through. */
  readonly requireSignIn: Middleware;
  /** A middleware that lets through only signed-in people the rule allows (401, else 403). */
  requireAccess(rule: AccessRule): Middleware;
  /** The signed-in person of a request, or `null`. */
  signedIn(req: Request): Promise<SignedInPerson | null>;
  /** The session of a request (read once per request), or `null`. */
  session(req: Request): Promise<ActiveSession | null>;
  /** An access token for `scopes` (the configured API scopes by default) of the signed-in person. */
  accessToken(req: Request, scopes?: readonly string[]): Promise<AccessToken>;
  /** Calls Microsoft Graph as the signed-in person (`GRAPH_URL` + path). */
  callGraph(req: Request, path: string, init?: GraphRequest): Promise<Response>;
  /** {@link callGraph}, parsed as JSON. */
  graphJson<T = Record<string, unknown>>(
    req: Request,
    path: string,
    init?: GraphRequest,
  ): Promise<T>;
  /**
   * Mount last, with `app.use(auth.errors)`: answers the library's errors that routes pass to
   * `next` (a trip to the provider when an API asked for consent or claims, else the error page
   * or JSON), and passes every other error on.
   */
  readonly errors: ErrorMiddleware;
  readonly core: EntraSignIn;
  close(): Promise<void>;
}

const MAX_FORM_BYTES = 64 * 1024;

/** Creates the router, guard and accessors from the library's options (or a core). */
export async function entraSignIn(
  options: EntraSignInOptions | EntraSignIn,
  runtime: EntraSignInRuntime = {},
): Promise<EntraSignInExpress> {
  const core = 'handle' in options ? options : await createEntraSignIn(options, runtime);
  const sessions = new WeakMap<Request, Promise<ActiveSession | null>>();
  const session = (req: Request) => {
    let loaded = sessions.get(req);
    if (loaded === undefined) {
      // The session needs only the cookie header: no whole request view for it.
      loaded = core.readSession({ header: (name) => headerOf(req, name) });
      sessions.set(req, loaded);
    }
    return loaded;
  };
  const paths = new Set(core.routes.map((route) => `${route.method} ${route.path}`));
  const signedInSession = async (req: Request) => {
    const found = await session(req);
    if (found === null) throw new AppError('NOT_SIGNED_IN');
    return found;
  };
  return {
    core,
    accessToken: async (req, scopes) => core.accessToken(await signedInSession(req), scopes),
    callGraph: async (req, path, init) => core.callGraph(await signedInSession(req), path, init),
    graphJson: async <T>(req: Request, path: string, init?: GraphRequest) =>
      core.graphJson<T>(await signedInSession(req), path, init),
    errors: (error, req, res, next) => {
      if (!isAppError(error) || res.headersSent) {
        next(error);
        return;
      }
      core.errorResponse(toAuthRequest(req), error).then((r) => send(res, r), next);
    },
    router: (req, res, next) => {
      // Every request of the host passes here: the request view is built only for our routes.
      if (!paths.has(`${req.method ?? 'GET'} ${pathOf(urlOf(req))}`)) {
        next();
        return;
      }
      core.handle(toAuthRequest(req)).then((response) => {
        if (response === null) next();
        else send(res, response);
      }, next);
    },
    requireSignIn: (req, res, next) => {
      session(req).then(
        (found) => {
          if (found !== null) next();
          else send(res, core.signedOutResponse(toAuthRequest(req)));
        },
        (error: unknown) =>
          core.errorResponse(toAuthRequest(req), error).then((r) => send(res, r), next),
      );
    },
    requireAccess: (rule) => (req, res, next) => {
      // Built once, and only when an answer needs it: an allowed request never does.
      let request: AuthRequest | undefined;
      const view = () => (request ??= toAuthRequest(req));
      const decide = async () => {
        const found = await session(req);
        if (found === null) return core.signedOutResponse(view());
        const decision = await core.decideAccess(found, rule);
        return decision.allowed ? null : core.forbiddenResponse(view(), found, decision.missing);
      };
      decide()
        .catch((error: unknown) => core.errorResponse(view(), error))
        .then((response) => (response === null ? next() : send(res, response)), next);
    },
    signedIn: async (req) => {
      const found = await session(req);
      return found === null ? null : core.personOf(found);
    },
    session,
    close: () => core.close(),
  };
}

/** The core's view of an Express (or plain Node) request, for core methods that take one. */
export function toAuthRequest(req: Request): AuthRequest {
  let id: string | undefined;
  const url = urlOf(req);
  const path = pathOf(url);
  return {
    method: req.method ?? 'GET',
    path,
    query: path.length === url.length ? '' : url.slice(path.length + 1),
    header: (name) => headerOf(req, name),
    // An id of its own, so the error page and the log line of a failure can be matched up;
    // made only when asked for, as almost every request never is.
    get id() {
      id ??= randomUUID();
      return id;
    },
    readForm: () => readForm(req),
    // Express's req.ip follows its 'trust proxy' setting; without Express, the socket's.
    address: req.ip ?? req.socket.remoteAddress,
  };
}

function urlOf(req: Request): string {
  return req.originalUrl ?? req.url ?? '/';
}

// The path of a request target, without its query.
function pathOf(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? url : url.slice(0, at);
}

function headerOf(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

// The host may have parsed the body already (express.urlencoded); else it is read here. Only an
// urlencoded form counts, in every adapter alike (not JSON, text or raw bytes the host parsed).
async function readForm(req: Request): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (!type.startsWith('application/x-www-form-urlencoded')) return new URLSearchParams();
  if (typeof req.body === 'string') return new URLSearchParams(req.body);
  if (
    typeof req.body === 'object' &&
    req.body !== null &&
    Object.getPrototypeOf(req.body) !== Buffer.prototype
  ) {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(req.body as Record<string, unknown>)) {
      for (const item of Array.isArray(value) ? value : [value]) params.append(name, String(item));
    }
    return params;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) return new URLSearchParams();
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, response: AuthResponse): void {
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === null) res.removeHeader(name);
    else res.setHeader(name, value);
  }
  if (response.cookies.length > 0) {
    const existing = res.getHeader('set-cookie');
    const before =
      existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
    res.setHeader('set-cookie', [...before, ...response.cookies]);
  }
  res.end(response.body ?? '');
}

export type { SignedInPerson } from '../../core/signed-in-person.js';
