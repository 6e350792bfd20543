import { buildApp } from './build-app.js';
import type { Config } from './config.js';
import { loadTls } from './local-tls.js';
import { stopOnSignals } from './shutdown.js';
import { DRAIN_MESSAGE } from './workers.js';

// Ctrl-C in a terminal, and systemd's stop, signal every process of the group: the worker gets a
// signal of its own as well as the primary's request to drain. A second signal means "exit at
// once" (stopOnSignals), so the request is turned into a signal only when none came meanwhile.
const OWN_SIGNAL_WAIT_MS = 250;

/**
 * A worker process of WORKERS above 1: builds the app from the configuration that the primary
 * handed down (its secrets included) and listens on the port the workers share. It starts no
 * development identity provider (the primary runs the one) and prints no banner. It drains as a
 * single process does, on a signal or when the primary asks.
 */
export async function serveAsWorker(config: Config): Promise<void> {
  let signalled = false;
  // Changed by the listeners below, while the app is built.
  const drain = { asked: false, ready: false };
  const drainUnlessSignalled = () =>
    setTimeout(() => {
      if (!signalled) process.kill(process.pid, 'SIGTERM');
    }, OWN_SIGNAL_WAIT_MS);
  // Listened for from the start: a shutdown may begin while the app is still being built.
  process.on('message', (message: unknown) => {
    if ((message as { type?: unknown } | null)?.type !== DRAIN_MESSAGE || drain.asked) return;
    drain.asked = true;
    if (drain.ready) drainUnlessSignalled();
  });

  const tls = await loadTls(config);
  const app = await buildApp(config, tls ? { https: tls } : {});
  await app.listen({ host: config.host, port: config.port });
  stopOnSignals(app, { timeoutMs: config.shutdownTimeoutMs });
  // After stopOnSignals: until then a signal ends the worker as it would end a single process.
  const noteSignal = () => (signalled = true);
  process.on('SIGTERM', noteSignal);
  process.on('SIGINT', noteSignal);
  drain.ready = true;
  if (drain.asked) drainUnlessSignalled();
}
