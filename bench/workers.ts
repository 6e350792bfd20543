/**
 * page-auth on an app with `WORKERS=1` and `WORKERS=2` (node:cluster): the same scenario as in
 * run.ts, each on a fresh app. CPU per request is the primary's and its workers' together
 * (processes.ts counts a process's children).
 */
import { join } from 'node:path';
import type { Child } from './processes.js';
import { loadPage, type Measurement } from './scenarios.js';
import { signInMany } from './session-setup.js';
import type { AppInstance } from './scale-steps.js';

export interface WorkersContext {
  readonly appUrl: string;
  readonly work: string;
  readonly connections: number;
  readonly seconds: number;
  readonly warmUpSeconds: number;
  startApp(dir: string, withProfile: boolean, instance?: AppInstance): Promise<Child>;
}

export async function measureWorkers(context: WorkersContext): Promise<Measurement[]> {
  const results: Measurement[] = [];
  for (const workers of [1, 2]) {
    const app = await context.startApp(join(context.work, `workers-${workers}`), false, {
      url: context.appUrl,
      env: { WORKERS: String(workers) },
    });
    try {
      const [cookie = ''] = await signInMany(context.appUrl, 1);
      const load = {
        url: `${context.appUrl}/token_details`,
        pid: app.pid,
        connections: context.connections,
        cookie,
      };
      await loadPage('warm-up', { ...load, seconds: context.warmUpSeconds });
      results.push(
        await loadPage(`page-auth, WORKERS=${workers}`, { ...load, seconds: context.seconds }),
      );
    } finally {
      await app.stop();
    }
  }
  return results;
}
