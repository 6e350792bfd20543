import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { ProviderConnection, type ProviderFetch } from '../core/provider/provider-connection.js';
import type { Config } from './config.js';
import { openSessionStore } from './open-session-store.js';
import { SessionManager } from '../core/session/session-manager.js';
import type { SessionStore } from '../core/session/session-store.js';
import { installErrorHandler } from './error-handler.js';
import { logOptions } from './log-options.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerLogoutChannelRoutes } from './routes/logout-channels.js';
import { registerPageRoutes } from './routes/pages.js';
import { OneLineRequestLog } from './request-log.js';
import { registerSecurityHeaders } from './security-headers.js';
import type { AppServices } from './services.js';
import { WebSessions } from './web-sessions.js';

/** What tests and embedding applications may replace when building the app. */
export interface BuildAppOptions {
  /** A session store to use instead of the one SESSION_STORE names (tests). */
  readonly store?: SessionStore;
  /** The clock (tests). */
  readonly now?: () => number;
  /** Where log lines go instead of stdout (tests read them), with the same redaction. */
  readonly logStream?: DestinationStream;
  /** TLS key and certificate, to serve https. */
  readonly https?: { key: string | Buffer; cert: string | Buffer };
  /** How the app reaches the identity provider (tests route Microsoft's hosts to a local fake). */
  readonly providerFetch?: ProviderFetch;
}

const PURGE_INTERVAL_MS = 10 * 60 * 1000;

/**
 * Builds the web application (not listening yet). The server entry point and the tests both
 * build it here, so tests run the app people run.
 */
export async function buildApp(
  config: Config,
  options: BuildAppOptions = {},
): Promise<FastifyInstance> {
  const now = options.now ?? Date.now;
  const store = options.store ?? openSessionStore(config.session.store);
  const manager = new SessionManager(store, {
    idleTimeoutMs: config.session.idleTimeoutMs,
    absoluteTimeoutMs: config.session.absoluteTimeoutMs,
    signInTimeoutMs: config.session.signInTimeoutMs,
    now,
  });
  const services: AppServices = {
    config,
    provider: new ProviderConnection(config.oidc, { fetch: options.providerFetch }),
    sessions: new WebSessions(manager, config.session),
    now,
  };

  const app = Fastify({
    logger: logOptions(config, options.logStream),
    // Our own ids only: a client-chosen request id could forge log lines' correlation.
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    logController: new OneLineRequestLog(),
    // Fastify takes a hop count too, though its types list only boolean, string and string[].
    trustProxy: config.trustProxy as boolean | string[],
    bodyLimit: 64 * 1024,
    ...(options.https ? { https: options.https } : {}),
  }) as unknown as FastifyInstance;

  await app.register(cookie, { secret: [...config.session.secrets] });
  await app.register(formbody);
  await registerSecurityHeaders(app, config);
  await app.register(fastifyStatic, {
    root: fileURLToPath(new URL('../../public/', import.meta.url)),
    prefix: '/static/',
    maxAge: '1h',
  });
  // Pages show personal data: no cache may keep them, so the back button after sign-out
  // cannot show a signed-in page.
  app.addHook('onSend', async (_request, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (
      typeof type === 'string' &&
      type.startsWith('text/html') &&
      !reply.hasHeader('cache-control')
    ) {
      reply.header('cache-control', 'no-store');
    }
    return payload;
  });
  installErrorHandler(app, services);
  registerPageRoutes(app, services);
  registerAuthRoutes(app, services);
  registerLogoutChannelRoutes(app, services);

  const purge = setInterval(() => {
    manager.purgeExpired().catch((error: unknown) => {
      app.log.warn({ err: error }, 'could not purge expired sessions');
    });
  }, PURGE_INTERVAL_MS);
  purge.unref();
  app.addHook('onClose', async () => {
    clearInterval(purge);
    await store.close();
  });
  return app;
}
