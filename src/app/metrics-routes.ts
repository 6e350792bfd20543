import cluster from 'node:cluster';
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { offerMetricsToPrimary } from './cluster-metrics.js';
import type { AppMetrics } from './metrics.js';
import type { MetricsSettings } from './observability-settings.js';

/**
 * Measures every request of `app`, and serves the metrics where they cannot leak: on a listener
 * of their own (METRICS_PORT, on loopback unless METRICS_HOST says otherwise), and on the public
 * port at `/metrics` only to a scraper that sends METRICS_TOKEN as its bearer token. With neither
 * set there is no `/metrics` at all (the caller builds no metrics then).
 */
export function serveMetrics(
  app: FastifyInstance,
  metrics: AppMetrics,
  settings: MetricsSettings,
  redirectPath: string,
): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpRequest(
      // The route's pattern (`/static/*`), not the URL: one series per route, whatever is asked.
      { id: request.id, method: request.method, route: request.routeOptions.url },
      reply.statusCode,
      reply.elapsedTime / 1000,
      redirectPath,
    );
  });
  if (settings.token !== null) serveOnPublicPort(app, metrics, settings.token);
  if (settings.port === null) return;
  // With WORKERS above 1 the primary serves METRICS_PORT, summed over the workers.
  if (cluster.isWorker) offerMetricsToPrimary(metrics.registry);
  else serveOnOwnListener(app, metrics, settings.host, settings.port);
}

function serveOnPublicPort(app: FastifyInstance, metrics: AppMetrics, token: string): void {
  app.get('/metrics', async (request, reply) => {
    const given = bearerTokenOf(request.headers.authorization);
    if (given === null || !sameSecret(given, token)) {
      // RFC 6750 §3: the scheme and realm, and invalid_token when a wrong one was sent.
      const error = given === null ? '' : ', error="invalid_token"';
      return reply
        .code(401)
        .header('www-authenticate', `Bearer realm="metrics"${error}`)
        .header('cache-control', 'no-store')
        .type('text/plain; charset=utf-8')
        .send('The metrics need the bearer token METRICS_TOKEN.\n');
    }
    return sendMetrics(reply, metrics);
  });
}

function serveOnOwnListener(
  app: FastifyInstance,
  metrics: AppMetrics,
  host: string,
  port: number,
): void {
  const listener = Fastify({ logger: false });
  listener.get('/metrics', async (_request, reply) => sendMetrics(reply, metrics));
  // Opened with the app, so that a port in use stops the start-up like the app's own would.
  app.addHook('onReady', async () => {
    const address = await listener.listen({ host, port });
    app.log.info({ address: `${address}/metrics` }, 'metrics listening');
  });
  app.addHook('onClose', async () => listener.close());
}

async function sendMetrics(reply: FastifyReply, metrics: AppMetrics): Promise<FastifyReply> {
  return reply
    .header('cache-control', 'no-store')
    .type(metrics.registry.contentType)
    .send(await metrics.registry.metrics());
}

/** The token of an `Authorization: Bearer …` header (RFC 6750 §2.1), or `null`. */
export function bearerTokenOf(header: string | undefined): string | null {
  const match = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

/**
 * Compares in constant time. Both sides are hashed first, so that neither the time nor an early
 * exit on a length difference tells a guesser how long the token is.
 */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
