/**
 * The entry point: `npm start`. Reads the configuration, starts the development identity
 * provider when no tenant is configured, and serves the app: in this process, or with WORKERS
 * above 1 in that many worker processes (node:cluster) that this one, the primary, looks after.
 */
import cluster from 'node:cluster';
import { buildApp } from './build-app.js';
import { loadConfig, type Config } from './config.js';
import { isAppError } from '../core/errors.js';
import { loadTls } from './local-tls.js';
import { serveWithWorkers } from './primary-process.js';
import { stopOnSignals } from './shutdown.js';
import { printStartBanner } from './start-banner.js';
import { serveAsWorker } from './worker-process.js';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (isAppError(error)) {
      process.stderr.write(`${error.message}\n\nSee the Settings section of README.md.\n`);
      process.exit(1);
    }
    throw error;
  }
  if (cluster.isWorker) return serveAsWorker(config);
  if (config.workers > 1) return serveWithWorkers(config);
  return serveAlone(config);
}

async function serveAlone(config: Config): Promise<void> {
  // Loaded only when it runs: oidc-provider warns about this Node version on being imported.
  const devIdp =
    config.devIdp === null
      ? null
      : await (await import('../dev-idp/start-for-options.js')).startDevIdpForOptions(config);

  const tls = await loadTls(config);
  const app = await buildApp(config, tls ? { https: tls } : {});
  await app.listen({ host: config.host, port: config.port });
  printStartBanner(config, devIdp?.issuer ?? null);

  stopOnSignals(app, {
    timeoutMs: config.shutdownTimeoutMs,
    // After the app: a sign-in under way may still need the development provider's keys.
    ...(devIdp ? { closeAlso: () => devIdp.close() } : {}),
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `entra-signin could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
