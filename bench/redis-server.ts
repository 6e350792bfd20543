/** A private `redis-server` for the benchmark: a free loopback port, a scratch folder, no disk. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running `redis-server` child process. */
export interface BenchRedis {
  /** `redis://127.0.0.1:PORT`. */
  readonly url: string;
  readonly pid: number;
  /** Ends it (SIGTERM), waits for it, and removes its folder. */
  stop(): Promise<void>;
}

/**
 * Starts `redis-server` (Debian package `redis-server`, or `REDIS_SERVER`) with neither
 * snapshots nor an append-only file, so that filling it with a million sessions measures memory
 * and not the disk.
 */
export async function startBenchRedis(): Promise<BenchRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'entra-signin-bench-redis-'));
  const child = spawn(
    process.env['REDIS_SERVER'] ?? 'redis-server',
    [
      ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir],
      ...['--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'],
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<never>((_resolve, reject) => {
    child.once('error', (error) => reject(new Error(`redis-server could not start: ${error}`)));
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${stderr}`)));
  });
  exited.catch(() => undefined);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const done = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await done;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([waitForPort(port), exited]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `redis://127.0.0.1:${port}`, pid: child.pid ?? 0, stop };
}

// Redis accepts connections once it is ready; polling the port is how we know.
async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis-server did not open port ${port} within 5 s`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
