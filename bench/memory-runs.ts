/**
 * The app's memory over repeated load: the same page-auth and login load twice on one process,
 * with its resident memory before and after each run and at its peak.
 */
import { memoryMiB } from './processes.js';
import { loadPage, loadSignIns } from './scenarios.js';

/** Resident memory (MiB) around each run, and the process's peak (VmHWM) after them all. */
export interface RepeatedRuns {
  readonly runs: readonly { before: number; after: number }[];
  readonly peak: number;
  /** Non-2xx answers and failed sign-ins over all runs. */
  readonly failures: number;
}

/**
 * Runs page-auth (`cookie`, `connections`, `seconds`) then login (`users`, `seconds`), `runs`
 * times on the app process `pid`. A heap that keeps something per request or per sign-in grows
 * run after run; one that does not grows in the first run (code, caches, heap headroom) and
 * stays flat in the next.
 */
export async function measureRepeatedRuns(options: {
  appUrl: string;
  pid: number;
  cookie: string;
  connections: number;
  users: number;
  seconds: number;
  runs: number;
}): Promise<RepeatedRuns> {
  const runs: { before: number; after: number }[] = [];
  let failures = 0;
  for (let run = 0; run < options.runs; run += 1) {
    const before = memoryMiB(options.pid).rss;
    const page = await loadPage('page-auth', {
      url: `${options.appUrl}/token_details`,
      pid: options.pid,
      connections: options.connections,
      seconds: options.seconds,
      cookie: options.cookie,
    });
    const login = await loadSignIns({
      appUrl: options.appUrl,
      pid: options.pid,
      users: options.users,
      seconds: options.seconds,
    });
    failures += page.failures + login.failures;
    runs.push({ before, after: memoryMiB(options.pid).rss });
  }
  return { runs, peak: memoryMiB(options.pid).peak, failures };
}
