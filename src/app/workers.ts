import cluster, { type Worker } from 'node:cluster';
import { constants } from 'node:os';
import type { Logger } from 'pino';

/** The message by which the primary asks a worker to drain and exit (see `worker-process.ts`). */
export const DRAIN_MESSAGE = 'entra-signin:drain';

// A worker that dies now and then (out of memory, killed by hand) is replaced at once; this many
// deaths within the window mean the workers cannot run (a store that refuses them, a port taken
// since), and restarting them again would only spin.
const MAX_DEATHS = 5;
const DEATH_WINDOW_MS = 60_000;
// Each worker cuts its own requests at SHUTDOWN_TIMEOUT and exits with 1; the primary waits this
// much longer for their exits before it kills what is left.
const EXIT_GRACE_MS = 2_000;

/** What {@link runWorkers} needs. */
export interface WorkerPoolOptions {
  readonly count: number;
  /**
   * Added to every worker's environment: what the primary resolved once (the generated secrets)
   * so that the workers agree. Never logged.
   */
  readonly env: Readonly<Record<string, string>>;
  /** SHUTDOWN_TIMEOUT, which each worker applies to its own drain. */
  readonly shutdownTimeoutMs: number;
  readonly log: Logger;
  /** What to close once every worker has exited (the development identity provider). */
  readonly closeAlso?: () => Promise<void>;
  /** Ends the process (tests pass their own). */
  readonly exit?: (code: number) => void;
}

/**
 * Forks `count` workers of this script (node:cluster: they share the listening port) and resolves
 * once every one listens; rejects, having stopped the others, when one exits before that (a port
 * in use). Afterwards a worker that exits is replaced, until {@link MAX_DEATHS} have within a
 * minute: then the others are drained and the process exits with 1. On SIGTERM or SIGINT every
 * worker drains as a single process would (`stopOnSignals`), nothing is restarted, and the
 * process exits with 0 once all have exited with 0, or 1 (also when SHUTDOWN_TIMEOUT passes). A
 * second signal is passed on to the workers and exits at once, with 128 + its number.
 */
export function runWorkers(options: WorkerPoolOptions): Promise<void> {
  const { log } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const live = new Set<Worker>();
  const listened = new Set<number>();
  const deaths: number[] = [];
  let state: 'starting' | 'running' | 'stopping' = 'starting';
  let exitCode = 0;
  let deadline: NodeJS.Timeout | undefined;
  let finished = false;

  const fork = () => live.add(cluster.fork(options.env));
  const finish = () => {
    if (finished) return;
    finished = true;
    clearTimeout(deadline);
    Promise.resolve(options.closeAlso?.()).then(
      () => {
        log.info({ code: exitCode }, 'stopped');
        exit(exitCode);
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  };
  const drainAll = () => {
    state = 'stopping';
    for (const worker of live) {
      // One that is dying already has no channel left; its exit is awaited all the same.
      if (worker.isConnected()) worker.send({ type: DRAIN_MESSAGE }, () => undefined);
    }
    deadline = setTimeout(() => {
      log.error({ workers: live.size }, 'shutdown timed out: killing the workers still running');
      for (const worker of live) worker.process.kill('SIGKILL');
      exitCode = 1;
      finish();
    }, options.shutdownTimeoutMs + EXIT_GRACE_MS);
    deadline.unref();
    if (live.size === 0) finish();
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (state === 'stopping') {
      log.warn({ signal }, 'second signal: exiting at once');
      for (const worker of live) worker.process.kill(signal);
      exit(128 + constants.signals[signal]);
      return;
    }
    log.info({ signal, timeoutMs: options.shutdownTimeoutMs, workers: live.size }, 'shutting down');
    drainAll();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  return new Promise((resolve, reject) => {
    cluster.on('listening', (worker) => {
      if (listened.has(worker.id)) return;
      listened.add(worker.id);
      log.info({ workerPid: worker.process.pid }, 'worker listening');
      if (state === 'starting' && listened.size === options.count) {
        state = 'running';
        log.info({ workers: options.count }, 'all workers listening');
        resolve();
      }
    });
    cluster.on('exit', (worker, code, signal) => {
      live.delete(worker);
      const fields = { workerPid: worker.process.pid, code, signal };
      if (state === 'stopping') {
        log.info(fields, 'worker stopped');
        if (code !== 0) exitCode = 1;
        if (live.size === 0) finish();
        return;
      }
      if (state === 'starting') {
        log.error(fields, 'a worker could not start');
        // Not finish(): the caller reports the failure and exits, as a single process would.
        state = 'stopping';
        finished = true;
        for (const other of live) other.process.kill('SIGTERM');
        reject(new Error('a worker process exited before it listened; its log says why'));
        return;
      }
      const now = Date.now();
      deaths.push(now);
      while ((deaths[0] ?? now) <= now - DEATH_WINDOW_MS) deaths.shift();
      if (deaths.length >= MAX_DEATHS) {
        log.error(
          { ...fields, deaths: deaths.length, windowMs: DEATH_WINDOW_MS },
          'workers keep exiting: stopping instead of starting another',
        );
        exitCode = 1;
        drainAll();
        return;
      }
      log.warn(fields, 'worker exited: starting another');
      fork();
    });
    for (let i = 0; i < options.count; i += 1) fork();
  });
}
