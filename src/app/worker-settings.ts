/**
 * Readers and checks for WORKERS, called by `config.ts` (which alone reads the environment). Each
 * adds a sentence that says what to change to `problems`.
 */
import { availableParallelism } from 'node:os';

// A bound on typing mistakes (WORKERS=40000), far above any machine's cores.
const MAX_WORKERS = 1024;

/** WORKERS as a number of processes: 1 when unset, one per core for `auto`. */
export function resolveWorkers(value: string | undefined, problems: string[]): number {
  if (value === undefined) return 1;
  if (value === 'auto') return availableParallelism();
  const count = /^\d+$/.test(value) ? Number(value) : NaN;
  if (count >= 1 && count <= MAX_WORKERS) return count;
  problems.push(
    `WORKERS must be a number of processes from 1 to ${MAX_WORKERS}, or auto for one per core; you gave "${value}"`,
  );
  return 1;
}

/** What, besides WORKERS, decides whether several processes can serve the app. */
export interface SharedSettings {
  /** SESSION_STORE, resolved (`memory`, `sqlite:/…`, `redis://…`). */
  readonly store: unknown;
  readonly metricsToken: string | null;
}

/**
 * The settings that cannot work across several worker processes: the memory store (each process
 * would keep sessions of its own, so a person would be signed in on one worker and not on the
 * next) and METRICS_TOKEN (a scrape of the public port reaches one worker, whose counters alone
 * are not the app's; the metrics listener of METRICS_PORT is served by the primary for all).
 */
export function checkWorkers(workers: number, settings: SharedSettings, problems: string[]): void {
  if (workers === 1) return;
  if (settings.store === 'memory') {
    problems.push(
      `SESSION_STORE=memory cannot be shared by WORKERS=${workers} processes (each would keep its own sessions): use a SQLite file (sqlite:./data/sessions.db) or Redis, or set WORKERS=1`,
    );
  }
  if (settings.metricsToken !== null) {
    problems.push(
      `METRICS_TOKEN serves /metrics on the public port, where with WORKERS=${workers} each scrape would reach one worker's counters only: use METRICS_PORT instead (the primary process serves it for all workers together), or set WORKERS=1`,
    );
  }
}
