import { pino, type LoggerOptions } from 'pino';
import type { Config } from './config.js';
import { serveClusterMetrics } from './cluster-metrics.js';
import { loadTls } from './local-tls.js';
import { logOptions } from './log-options.js';
import { printStartBanner } from './start-banner.js';
import { runWorkers } from './workers.js';

/**
 * What the workers must take from the primary instead of making for themselves, added to their
 * environment (never logged): the session secrets, which `loadConfig` generated under DATA_DIR
 * in development when SESSION_SECRET is unset, and the development provider's client secret,
 * generated afresh by each load of the configuration and registered with the one provider the
 * primary runs.
 */
export function handedDownEnv(config: Config): Record<string, string> {
  return {
    // The separator SESSION_SECRET's reader splits at: rotation lists stay in their order.
    SESSION_SECRET: config.session.secrets.join(','),
    ...(config.devIdp === null ? {} : { CLIENT_SECRET: config.oidc.clientSecret }),
  };
}

/**
 * The primary process of WORKERS above 1: runs the development identity provider (when no tenant
 * is configured) and the metrics listener (METRICS_PORT, summed over the workers), forks the
 * workers with {@link handedDownEnv}, and prints the banner once they all listen.
 */
export async function serveWithWorkers(config: Config): Promise<void> {
  const options = logOptions(config);
  // The same settings as the workers' Fastify logs: its lines read like theirs, redactions included.
  const log = pino(options === false ? { enabled: false } : (options as LoggerOptions));
  // Loaded only when it runs: oidc-provider warns about this Node version on being imported.
  const devIdp =
    config.devIdp === null
      ? null
      : await (await import('../dev-idp/start-for-options.js')).startDevIdpForOptions(config);
  // The adhoc certificate is made here, once, before any worker reads it: workers that each
  // made their own would serve different certificates and could leave one's key beside
  // another's certificate in DATA_DIR.
  await loadTls(config);
  const { port } = config.metrics;
  const closeMetrics =
    port === null ? null : await serveClusterMetrics({ ...config.metrics, port }, log);
  await runWorkers({
    count: config.workers,
    env: handedDownEnv(config),
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    log,
    // After the workers: a sign-in under way may still need the development provider's keys.
    closeAlso: async () => {
      await closeMetrics?.();
      await devIdp?.close();
    },
  });
  printStartBanner(config, devIdp?.issuer ?? null);
}
