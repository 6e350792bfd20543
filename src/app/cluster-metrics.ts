import Fastify from 'fastify';
import type { Logger } from 'pino';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { MetricsSettings } from './observability-settings.js';

/**
 * In a worker (WORKERS above 1): answers the primary's requests for metrics with `registry`'s,
 * instead of opening METRICS_PORT itself. node:cluster would share that port among the workers
 * too, and each scrape would then count one random worker's requests only.
 */
export function offerMetricsToPrimary(registry: Registry): void {
  // Constructing one is what makes prom-client answer the primary in a worker.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
}

/**
 * In the primary: serves `/metrics` on METRICS_PORT (METRICS_HOST, loopback by default), each
 * series summed over the workers running (prom-client's cluster aggregation). Resolves, once it
 * listens, with the function that closes it.
 */
export async function serveClusterMetrics(
  settings: MetricsSettings & { readonly port: number },
  log: Logger,
): Promise<() => Promise<void>> {
  const aggregator = new AggregatorRegistry();
  const listener = Fastify({ logger: false });
  listener.get('/metrics', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    try {
      const text = await aggregator.clusterMetrics();
      return await reply.type(aggregator.contentType).send(text);
    } catch (error) {
      // A worker that died, or was still starting, while asked: the next scrape has the others.
      log.warn({ err: error }, 'metrics: a worker did not answer');
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('A worker did not answer in time: scrape again.\n');
    }
  });
  const address = await listener.listen({ host: settings.host, port: settings.port });
  log.info({ address: `${address}/metrics` }, 'metrics listening');
  return () => listener.close();
}
