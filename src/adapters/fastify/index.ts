/**
 * `entra-signin/fastify`: the sign-in routes, a guard and the signed-in person for a Fastify app,
 * as a plugin. It adds its routes (under the prefix), two request methods and two instance
 * decorators; the host's error handler, CSP, body parsers and other routes stay untouched.
 *
 * @example
 * await app.register(entraSignIn, fromEnv(process.env));
 * app.get('/me', { preHandler: app.requireSignIn }, async (request) => request.signedIn());
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { createEntraSignIn } from '../../core/create-entra-signin.js';
import type { EntraSignIn, EntraSignInRuntime } from '../../core/entra-signin.js';
import type { AccessRule } from '../../core/access-rule.js';
import { AppError } from '../../core/errors.js';
import type { AuthRequest, AuthResponse } from '../../core/http/auth-request.js';
import type { AccessToken } from '../../core/tokens/api-tokens.js';
import type { GraphRequest } from '../../core/tokens/graph-client.js';
import type { EntraSignInOptions } from '../../core/options.js';
import type { ActiveSession } from '../../core/session/session-manager.js';
import type { SignedInPerson } from '../../core/signed-in-person.js';

/** The plugin's options: the library's options (and runtime hooks), or a core built already. */
export type EntraSignInPluginOptions =
  | (EntraSignInOptions & { readonly runtime?: EntraSignInRuntime | undefined })
  | { readonly signIn: EntraSignIn };

declare module 'fastify' {
  interface FastifyInstance {
    /** The core behind the plugin. */
    entraSignIn: EntraSignIn;
    /** A preHandler that lets only signed-in people through (401, or a redirect by option). */
    requireSignIn: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    /**
     * A preHandler that lets through only signed-in people the rule allows: 401 when signed
     * out, 403 naming what is missing when not allowed.
     */
    requireAccess: (
      rule: AccessRule,
    ) => (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
  interface FastifyRequest {
    /** The signed-in person, or `null`. */
    signedIn(): Promise<SignedInPerson | null>;
    /** The request's session (read once per request), or `null`. */
    entraSession(): Promise<ActiveSession | null>;
    entraSessionPromise: Promise<ActiveSession | null> | null;
    /** An access token for `scopes` (the configured API scopes by default) of the signed-in person. */
    accessToken(scopes?: readonly string[]): Promise<AccessToken>;
    /** Calls Microsoft Graph as the signed-in person (`GRAPH_URL` + path). */
    callGraph(path: string, init?: GraphRequest): Promise<Response>;
    /** {@link callGraph}, parsed as JSON. */
    graphJson<T = Record<string, unknown>>(path: string, init?: GraphRequest): Promise<T>;
  }
  interface FastifyReply {
    /**
     * Answers an error of the library (from the host's error handler): a trip to the provider
     * when an API asked for consent or claims, else the error page or JSON.
     */
    entraError(error: unknown): Promise<FastifyReply>;
  }
}

/** Whether an error is the library's, for the host's error handler to pass to `reply.entraError`. */
export { isAppError as isEntraSignInError } from '../../core/errors.js';

const FORM = 'application/x-www-form-urlencoded';

async function plugin(app: FastifyInstance, options: EntraSignInPluginOptions): Promise<void> {
  const signIn =
    'signIn' in options ? options.signIn : await createEntraSignIn(options, options.runtime);
  app.decorate('entraSignIn', signIn);
  app.decorateRequest('entraSessionPromise', null);
  app.decorateRequest('entraSession', function (this: FastifyRequest) {
    this.entraSessionPromise ??= signIn.readSession(toAuthRequest(this));
    return this.entraSessionPromise;
  });
  app.decorateRequest('signedIn', async function (this: FastifyRequest) {
    const session = await this.entraSession();
    return session === null ? null : signIn.personOf(session);
  });
  const signedInSession = async (request: FastifyRequest) => {
    const found = await request.entraSession();
    if (found === null) throw new AppError('NOT_SIGNED_IN');
    return found;
  };
  app.decorateRequest(
    'accessToken',
    async function (this: FastifyRequest, scopes?: readonly string[]) {
      return signIn.accessToken(await signedInSession(this), scopes);
    },
  );
  app.decorateRequest(
    'callGraph',
    async function (this: FastifyRequest, path: string, init?: GraphRequest) {
      return signIn.callGraph(await signedInSession(this), path, init);
    },
  );
  app.decorateRequest('graphJson', async function <
    T,
  >(this: FastifyRequest, path: string, init?: GraphRequest) {
    return signIn.graphJson<T>(await signedInSession(this), path, init);
  });
  app.decorateReply('entraError', async function (this: FastifyReply, error: unknown) {
    return send(this, await signIn.errorResponse(toAuthRequest(this.request), error));
  });
  app.decorate('requireSignIn', async (request: FastifyRequest, reply: FastifyReply) => {
    let session: ActiveSession | null;
    try {
      session = await request.entraSession();
    } catch (error) {
      await send(reply, await signIn.errorResponse(toAuthRequest(request), error));
      return;
    }
    if (session === null) await send(reply, signIn.signedOutResponse(toAuthRequest(request)));
  });
  app.decorate('requireAccess', (rule: AccessRule) => {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const auth = toAuthRequest(request);
      try {
        const session = await request.entraSession();
        if (session === null) {
          await send(reply, signIn.signedOutResponse(auth));
          return;
        }
        const decision = await signIn.decideAccess(session, rule);
        if (!decision.allowed)
          await send(reply, signIn.forbiddenResponse(auth, session, decision.missing));
      } catch (error) {
        await send(reply, await signIn.errorResponse(auth, error));
      }
    };
  });
  // The routes live in a scope of their own, so the form parser they need is theirs alone.
  await app.register((scope, _options, done) => {
    if (scope.hasContentTypeParser(FORM)) scope.removeContentTypeParser(FORM);
    scope.addContentTypeParser(
      FORM,
      { parseAs: 'string', bodyLimit: 64 * 1024 },
      (_r, body, done) => {
        done(null, body);
      },
    );
    for (const route of signIn.routes) {
      scope.route({
        method: route.method,
        url: route.path,
        handler: async (request, reply) => {
          const response = await signIn.handle(toAuthRequest(request));
          return response === null ? reply.callNotFound() : send(reply, response);
        },
      });
    }
    done();
  });
  if (!('signIn' in options)) app.addHook('onClose', () => signIn.close());
}

/**
 * The core's view of a Fastify request, for calling core methods that take one (`endSessionsOf`,
 * `errorResponse`): its address follows the server's `trustProxy`, its id and logger are Fastify's.
 */
export function toAuthRequest(request: FastifyRequest): AuthRequest {
  const at = request.url.indexOf('?');
  return {
    method: request.method,
    path: at === -1 ? request.url : request.url.slice(0, at),
    query: at === -1 ? '' : request.url.slice(at + 1),
    header: (name) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    },
    // Only an urlencoded form counts, in every adapter alike (a text/plain body does not).
    readForm: () =>
      Promise.resolve(
        new URLSearchParams(
          isForm(request.headers['content-type']) && typeof request.body === 'string'
            ? request.body
            : '',
        ),
      ),
    id: request.id,
    log: request.log,
    // request.ip follows the server's trustProxy setting.
    address: request.ip,
  };
}

function isForm(type: string | undefined): boolean {
  return (type ?? '').toLowerCase().startsWith(FORM);
}

function send(reply: FastifyReply, response: AuthResponse): FastifyReply {
  reply.code(response.status);
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === null) reply.removeHeader(name);
    else reply.header(name, value);
  }
  if (response.cookies.length > 0) reply.header('set-cookie', [...response.cookies]);
  return reply.send(response.body ?? '');
}

/** The Fastify plugin (fastify-plugin, so its decorators reach the host app). */
export const entraSignIn = fp(plugin, { name: 'entra-signin', fastify: '5.x' });
export default entraSignIn;
export type { SignedInPerson } from '../../core/signed-in-person.js';
