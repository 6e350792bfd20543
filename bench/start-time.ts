/**
 * `npm start` until its first answer, as the README's first command runs it: no tenant (so the
 * development provider starts too), the app already built. Timed twice: the first start after
 * the bench's build, and a restart; scripts/build-when-stale.mjs compiles only when a source
 * changed, so neither compiles.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface StartTimes {
  /** Milliseconds from spawning `npm start` to its first 200 for GET /, per start. */
  readonly startsMs: readonly number[];
}

export async function measureStartTimes(options: {
  root: string;
  work: string;
  port: number;
}): Promise<StartTimes> {
  const dataDir = join(options.work, 'npm-start');
  mkdirSync(dataDir, { recursive: true });
  const startsMs: number[] = [];
  for (let i = 0; i < 2; i += 1) startsMs.push(await timeOneStart({ ...options, dataDir }));
  return { startsMs };
}

async function timeOneStart(options: {
  root: string;
  port: number;
  dataDir: string;
}): Promise<number> {
  const began = performance.now();
  const child = spawn('npm', ['start', '--silent'], {
    cwd: options.root,
    // A clean development environment: whatever tenant the bench's own shell may name is left out.
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '',
      HOST: '127.0.0.1',
      PORT: String(options.port),
      DATA_DIR: options.dataDir,
      SESSION_STORE: `sqlite:${join(options.dataDir, 'sessions.db')}`,
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
    detached: true,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const url = `http://127.0.0.1:${options.port}/`;
    for (;;) {
      if (child.exitCode !== null) throw new Error('npm start exited before it answered');
      const ok = await fetch(url).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return performance.now() - began;
      if (performance.now() - began > 30_000) throw new Error('npm start did not answer in 30 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    // npm, the app and its provider are one process group.
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
}
