import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { entraSignIn } from '../adapters/fastify/index.js';
import { createEntraSignIn } from '../core/create-entra-signin.js';
import type { ProviderFetch } from '../core/provider/provider-connection.js';
import { openStore } from '../core/session/open-store.js';
import type { SessionStore } from '../core/session/session-store.js';
import { AuditBuffer } from './audit-buffer.js';
import type { Config } from './config.js';
import { installErrorHandler } from './error-handler.js';
import { logOptions } from './log-options.js';
import { MeasuredSessionStore } from './measured-store.js';
import { AppMetrics } from './metrics.js';
import { serveMetrics } from './metrics-routes.js';
import { metricsEnabled } from './observability-settings.js';
import { Readiness, registerReadinessRoute } from './readiness.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerPageRoutes } from './routes/pages.js';
import { registerProfileRoutes } from './routes/profile.js';
import { OneLineRequestLog } from './request-log.js';
import { registerSecurityHeaders } from './security-headers.js';
import { appPages, type AppServices } from './services.js';
import { registerDrain } from './shutdown.js';

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

/**
 * Builds the web application (not listening yet): a Fastify app that uses the library's Fastify
 * adapter like any other consumer, with its own pages, headers and logs. The server entry point
 * and the tests both build it here, so tests run the app people run. The development identity
 * provider, when the config names it, is the caller's to start (`server.ts` does).
 */
export async function buildApp(
  config: Config,
  options: BuildAppOptions = {},
): Promise<FastifyInstance> {
  const now = options.now ?? Date.now;
  // The admin page's view of the audit trail; the log lines are the trail itself.
  const auditEvents = new AuditBuffer();
  const app = createServer(config, options);

  // Nothing is measured when nobody may read the measurements (no METRICS_PORT, no token).
  const metrics = metricsEnabled(config.metrics) ? new AppMetrics() : null;
  const opened = options.store ?? (await openStore(config.session.store));
  const store = metrics === null ? opened : new MeasuredSessionStore(opened, metrics);
  const signIn = await createEntraSignIn(
    { ...config, session: { ...config.session, store } },
    {
      now,
      fetch: options.providerFetch,
      pages: appPages(config),
      logger: app.log,
      onEvent: (event) => {
        auditEvents.record(event);
        metrics?.recordEvent(event);
      },
      metrics: metrics?.signInMetrics,
      startDevelopmentProvider: false,
    },
  );
  app.addHook('onClose', () => signIn.close());
  const readiness = new Readiness(opened, signIn.provider, { now });
  registerDrain(app, readiness);
  if (metrics !== null) serveMetrics(app, metrics, config.metrics, signIn.paths.redirect);
  const services: AppServices = { config, signIn, now, auditEvents };

  await registerSecurityHeaders(app, config);
  await app.register(fastifyStatic, {
    root: fileURLToPath(new URL('../../public/', import.meta.url)),
    prefix: '/static/',
    maxAge: '1h',
  });
  // Pages show personal data: no cache may keep them, so the back button after sign-out
  // cannot show a signed-in page.
  // A callback rather than an async hook: one promise fewer on every response.
  app.addHook('onSend', (_request, reply, payload, done) => {
    const type = reply.getHeader('content-type');
    if (
      typeof type === 'string' &&
      type.startsWith('text/html') &&
      !reply.hasHeader('cache-control')
    ) {
      reply.header('cache-control', 'no-store');
    }
    done(null, payload);
  });
  installErrorHandler(app, services);
  await app.register(entraSignIn, { signIn });
  registerPageRoutes(app, services);
  registerReadinessRoute(app, readiness);
  registerProfileRoutes(app, services);
  await registerAdminRoutes(app, services);
  return app;
}

function createServer(config: Config, options: BuildAppOptions): FastifyInstance {
  return Fastify({
    logger: logOptions(config, options.logStream),
    // Our own ids only: a client-chosen request id could forge log lines' correlation. The id
    // is the correlation id that error pages show, and every log line of the request has it.
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    logController: new OneLineRequestLog(),
    trustProxy: config.trustProxy,
    bodyLimit: 64 * 1024,
    // While draining, a request that still arrives on an open connection is answered like any
    // other (with Connection: close), not refused: see registerDrain.
    return503OnClosing: false,
    ...(options.https ? { https: options.https } : {}),
  });
}
