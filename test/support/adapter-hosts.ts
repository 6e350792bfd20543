import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { serve, type HttpBindings } from '@hono/node-server';
import express from 'express';
import Fastify, { LogController } from 'fastify';
import { Hono, type MiddlewareHandler } from 'hono';
import { pino } from 'pino';
import { entraSignIn as expressSignIn } from '../../src/adapters/express/index.js';
import {
  entraSignIn as fastifySignIn,
  isEntraSignInError,
} from '../../src/adapters/fastify/index.js';
import { createFetchSignIn } from '../../src/adapters/fetch/index.js';
import {
  escapeHtml,
  type AccessRule,
  type AccessToken,
  type EntraSignInOptions,
  type SignedInPerson,
} from '../../src/index.js';
import { findFreePort } from './free-port.js';

/** The host apps a suite can run against: one per adapter, each in this process. */
export const HOST_KINDS = ['express', 'fastify', 'fetch'] as const;
export type HostKind = (typeof HOST_KINDS)[number];

/**
 * What a host is configured with: only what an app started as a separate process could be given
 * in its environment (AUTHORITY, CLIENT_ID, CLIENT_SECRET, SESSION_SECRET, API_SCOPES, GRAPH_URL),
 * so that the same suite can later run against the example apps.
 */
export interface HostOptions {
  readonly authority: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** At least 32 characters; a fixed test secret by default. */
  readonly sessionSecret?: string;
  /** The API scopes asked for at sign-in (API_SCOPES); none for a provider that is not Entra. */
  readonly apiScopes?: string;
  /** Microsoft Graph's origin (GRAPH_URL), such as a fake's. */
  readonly graphUrl?: string;
}

/**
 * A running host app: the adapter's routes, `/`, and behind the guard `/token_details` and
 * `/profile` (the person's Graph profile); the library's errors answered by its translator.
 */
export interface Host {
  /** A {@link HostKind}, or the name of another kind of host (an installed example). */
  readonly kind: string;
  /** Its origin, which is also the `baseUrl` it was configured with. */
  readonly baseUrl: string;
  /**
   * Every log line the library wrote (pino JSON lines), in order; `null` for a host in another
   * process, whose lines this process cannot read.
   */
  readonly logs: readonly string[] | null;
  /** What its pages say, as it writes them in HTML. */
  readonly says: HostPages;
  close(): Promise<void>;
}

/** The text a host's own pages show a signed-in person; the library's pages are the same in all. */
export interface HostPages {
  /** Part of `/` for a person of this name. */
  signedIn(name: string): string;
  /** Part of `/token_details` for a person of this name. */
  details(name: string): string;
}

/** Starts a host app configured with `options` on a free port. */
export type StartHost = (options: HostOptions) => Promise<Host>;

/** The session cookie of a host over http (the library's default name). */
export const HOST_SESSION_COOKIE = 'entra-signin';

const TEST_SESSION_SECRET = 'adapter-host-session-secret-long-enough-0123456789';

/**
 * Starts a minimal host app of `kind` on a free loopback port, with sessions in memory:
 * `GET /` answers "Signed in as NAME" or "Signed out", `GET /token_details` (behind the adapter's
 * guard) the person's name as text, and the adapter's routes answer under `/auth`. Graph through
 * the adapter, behind the guard: `GET /profile` answers the `displayName` of `graphJson`, and
 * `GET /graph/me` Graph's answer from `callGraph` as it came. `GET /access_token`, not guarded
 * (so that a signed-out call reaches the adapter), answers the scopes and expiry of
 * `accessToken()`, never the token. Every library error these throw goes to the adapter's error
 * translator, mounted as the examples mount it.
 */
export async function startHost(kind: HostKind, options: HostOptions): Promise<Host> {
  const port = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const settings: EntraSignInOptions = {
    baseUrl,
    authority: options.authority,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    session: { secrets: options.sessionSecret ?? TEST_SESSION_SECRET, store: 'memory' },
    api: { scopes: options.apiScopes, graphUrl: options.graphUrl },
  };
  const close = await starters[kind](settings, port, stream);
  return { kind, baseUrl, logs, says: inProcessPages, close };
}

type Starter = (
  settings: EntraSignInOptions,
  port: number,
  logStream: Writable,
) => Promise<() => Promise<void>>;

/** Who may open the hosts' guarded pages: the app role Admin; a member of the staff group. */
export const ADMINS: AccessRule = { anyRole: ['Admin'] };
export const STAFF_GROUP = 'a5a5a5a5-0000-4000-8000-00000000057a';
export const STAFF: AccessRule = {
  anyGroup: [STAFF_GROUP],
  groupNames: { [STAFF_GROUP]: 'Staff' },
};

const starters: Record<HostKind, Starter> = {
  async express(settings, port, logStream) {
    const auth = await expressSignIn(settings, { logger: pino({ level: 'info' }, logStream) });
    const app = express();
    app.use(auth.router);
    app.get('/', async (req, res) => {
      res.type('html').send(homePage(await auth.signedIn(req)));
    });
    app.get('/token_details', auth.requireSignIn, async (req, res) => {
      res.type('text').send((await auth.signedIn(req))?.name ?? '');
    });
    app.get('/profile', auth.requireSignIn, async (req, res) => {
      res.type('text').send(displayNameOf(await auth.graphJson(req, '/v1.0/me')));
    });
    app.get('/admin', auth.requireAccess(ADMINS), (_req, res) => {
      res.type('text').send('admin page');
    });
    app.get('/staff', auth.requireAccess(STAFF), (_req, res) => {
      res.type('text').send('staff page');
    });
    app.get('/graph/me', auth.requireSignIn, async (req, res) => {
      const answer = await auth.callGraph(req, '/v1.0/me');
      res
        .status(answer.status)
        .type('json')
        .send(await answer.text());
    });
    app.get('/access_token', async (req, res) => {
      res.json(tokenFacts(await auth.accessToken(req)));
    });
    app.use(auth.errors);
    const server = createServer(app);
    await listen(server, port);
    return async () => {
      await closeServer(server);
      await auth.close();
    };
  },

  async fastify(settings, port, logStream) {
    const app = Fastify({
      logger: { level: 'info', stream: logStream },
      // The library's lines only, as the other hosts log.
      logController: new LogController({ disableRequestLogging: true }),
    });
    await app.register(fastifySignIn, settings);
    app.get('/', async (request, reply) =>
      reply.type('text/html').send(homePage(await request.signedIn())),
    );
    app.get('/token_details', { preHandler: app.requireSignIn }, async (request, reply) =>
      reply.type('text/plain').send((await request.signedIn())?.name ?? ''),
    );
    app.get('/profile', { preHandler: app.requireSignIn }, async (request, reply) =>
      reply.type('text/plain').send(displayNameOf(await request.graphJson('/v1.0/me'))),
    );
    app.get('/admin', { preHandler: app.requireAccess(ADMINS) }, async (_request, reply) =>
      reply.type('text/plain').send('admin page'),
    );
    app.get('/staff', { preHandler: app.requireAccess(STAFF) }, async (_request, reply) =>
      reply.type('text/plain').send('staff page'),
    );
    app.get('/graph/me', { preHandler: app.requireSignIn }, async (request, reply) => {
      const answer = await request.callGraph('/v1.0/me');
      return reply
        .code(answer.status)
        .type('application/json')
        .send(await answer.text());
    });
    app.get('/access_token', async (request) => tokenFacts(await request.accessToken()));
    app.setErrorHandler((error, _request, reply) =>
      isEntraSignInError(error) ? reply.entraError(error) : reply.send(error),
    );
    await app.listen({ host: '127.0.0.1', port });
    return () => app.close();
  },

  async fetch(settings, port, logStream) {
    // A Request carries no client address; Hono's Node server has it on the socket.
    const addresses = new WeakMap<Request, string>();
    const auth = await createFetchSignIn(settings, {
      logger: pino({ level: 'info' }, logStream),
      clientAddress: (request) => addresses.get(request),
    });
    const app = new Hono<{ Bindings: HttpBindings }>();
    app.use(async (c, next) => {
      const address = c.env.incoming.socket.remoteAddress;
      if (address !== undefined) addresses.set(c.req.raw, address);
      const answer = await auth.handle(c.req.raw);
      if (answer !== null) return answer;
      await next();
    });
    app.get('/', async (c) => c.html(homePage(await auth.signedIn(c.req.raw))));
    const requireSignIn: MiddlewareHandler = async (c, next) => {
      const refused = await auth.requireSignIn(c.req.raw);
      if (refused !== null) return refused;
      await next();
    };
    app.get('/token_details', requireSignIn, async (c) =>
      c.text((await auth.signedIn(c.req.raw))?.name ?? ''),
    );
    app.get('/profile', requireSignIn, async (c) =>
      c.text(displayNameOf(await auth.graphJson(c.req.raw, '/v1.0/me'))),
    );
    const requireAccess =
      (rule: AccessRule): MiddlewareHandler =>
      async (c, next) => {
        const refused = await auth.requireAccess(c.req.raw, rule);
        if (refused !== null) return refused;
        await next();
      };
    app.get('/admin', requireAccess(ADMINS), (c) => c.text('admin page'));
    app.get('/staff', requireAccess(STAFF), (c) => c.text('staff page'));
    app.get('/graph/me', requireSignIn, async (c) => {
      const answer = await auth.callGraph(c.req.raw, '/v1.0/me');
      return new Response(await answer.text(), {
        status: answer.status,
        headers: { 'content-type': 'application/json' },
      });
    });
    app.get('/access_token', async (c) => c.json(tokenFacts(await auth.accessToken(c.req.raw))));
    app.onError(
      async (error, c) =>
        (await auth.errorResponse(c.req.raw, error)) ?? c.text('Server error', 500),
    );
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port }) as Server;
    if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
    return async () => {
      await closeServer(server);
      await auth.close();
    };
  },
};

// What the hosts answer of Graph's `/me` and of an access token: never the token itself.
function displayNameOf(me: Record<string, unknown>): string {
  return typeof me['displayName'] === 'string' ? me['displayName'] : '';
}

function tokenFacts(token: AccessToken): { scopes: readonly string[]; expiresAt: number } {
  return { scopes: token.scopes, expiresAt: token.expiresAt };
}

const inProcessPages: HostPages = {
  signedIn: (name) => `Signed in as ${escapeHtml(name)}`,
  details: (name) => name,
};

function homePage(person: SignedInPerson | null): string {
  const text = person === null ? 'Signed out' : `Signed in as ${escapeHtml(person.name)}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title></head><body><p>${text}</p></body></html>`;
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
