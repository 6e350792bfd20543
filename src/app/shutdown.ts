import { constants } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Readiness } from './readiness.js';

// How often, while the app drains, connections that went idle are closed: a response that was
// under way when the drain began ends on a keep-alive connection nobody will use again.
const IDLE_SWEEP_MS = 100;

/**
 * How the app drains when it is closed (`app.close()`, which a signal starts): `/readyz` answers
 * 503 at once; the listener stops accepting connections (Fastify's close); requests under way,
 * and those that still arrive on connections already open, are answered in full, each with
 * `Connection: close`; idle keep-alive connections are closed as they appear. The store and the
 * provider connection close after the last connection (the app's `onClose` hooks).
 */
export function registerDrain(app: FastifyInstance, readiness: Readiness): void {
  let sweep: NodeJS.Timeout | undefined;
  app.addHook('preClose', (done) => {
    readiness.stop();
    // Node's server.close() closes the connections idle at that moment only.
    sweep = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS);
    sweep.unref();
    done();
  });
  app.addHook('onClose', (_instance, done) => {
    clearInterval(sweep);
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (readiness.stopping) reply.header('connection', 'close');
    done(null, payload);
  });
}

/** What {@link stopOnSignals} needs besides the app. */
export interface StopOptions {
  /** How long requests under way may take before the process exits anyway (SHUTDOWN_TIMEOUT). */
  readonly timeoutMs: number;
  /** What else to close once the app has (the development identity provider). */
  readonly closeAlso?: () => Promise<void>;
  /** Ends the process (tests pass their own). */
  readonly exit?: (code: number) => void;
}

/**
 * On SIGTERM or SIGINT, closes the app as {@link registerDrain} describes and exits with 0. If
 * that takes longer than `timeoutMs`, the connections still open are cut and the process exits
 * with 1. A second signal exits at once, with 128 + the signal's number (130 for SIGINT), as a
 * shell reports a process killed by it.
 */
export function stopOnSignals(app: FastifyInstance, options: StopOptions): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      app.log.warn({ signal }, 'second signal: exiting at once');
      exit(128 + constants.signals[signal]);
      return;
    }
    stopping = true;
    app.log.info({ signal, timeoutMs: options.timeoutMs }, 'shutting down');
    const deadline = setTimeout(() => {
      app.log.error(
        { timeoutMs: options.timeoutMs },
        'shutdown timed out: cutting the connections still open',
      );
      app.server.closeAllConnections();
      exit(1);
    }, options.timeoutMs);
    // Only a bound: a shutdown that ends sooner must not wait for it.
    deadline.unref();
    app
      .close()
      .then(() => options.closeAlso?.())
      .then(
        () => {
          clearTimeout(deadline);
          app.log.info({ signal }, 'stopped');
          exit(0);
        },
        (error: unknown) => {
          app.log.error({ err: error }, 'shutdown failed');
          exit(1);
        },
      );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
