import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from './free-port.js';

const REDIS_SERVER = process.env['REDIS_SERVER'] ?? 'redis-server';

/** A real `redis-server` child process on a free loopback port, for tests. */
export interface RedisServer {
  /** `redis://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** Stops the process (Redis saves its append-only file first) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data folder, after {@link RedisServer.stop}. */
  restart(): Promise<void>;
  /** Stops it for good and removes its data folder. */
  close(): Promise<void>;
}

/**
 * Starts `redis-server` (Debian package `redis-server`). Fails, never skips, when it is missing:
 * a test that cannot run must say so.
 */
export async function startRedisServer(): Promise<RedisServer> {
  assertRedisServerInstalled();
  const port = await findFreePort();
  const dir = mkdtempSync(join(tmpdir(), 'entra-signin-redis-'));
  let child: ChildProcess | null = await launch(port, dir);
  const stop = async () => {
    const running = child;
    child = null;
    if (running === null || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    restart: async () => {
      await stop();
      child = await launch(port, dir);
    },
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function assertRedisServerInstalled(): void {
  const probe = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      `These tests need a real redis-server and "${REDIS_SERVER}" could not be run. ` +
        'Install it with: sudo apt-get install redis-server (or set REDIS_SERVER to its path).',
    );
  }
}

async function launch(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    REDIS_SERVER,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      // The append-only file keeps sessions across a stop and restart, as a production Redis
      // configured for sessions would; no RDB snapshots to keep the test quick.
      '--appendonly',
      'yes',
      '--save',
      '',
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exitedEarly = new Promise<never>((_resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`redis-server exited with code ${code ?? 'null'}: ${stderr}`)),
    );
  });
  exitedEarly.catch(() => undefined);
  await Promise.race([waitForPort(port), exitedEarly]);
  return child;
}

// Redis accepts connections once it has loaded its data; polling the port is how we know.
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
