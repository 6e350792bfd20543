import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A log line of the app, as LOG_FORMAT=json writes it. */
export interface LogLine {
  readonly msg?: string;
  readonly reqId?: string;
  readonly [field: string]: unknown;
}

/** How the process ended, and when (`performance.now()` of this process). */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly at: number;
}

/**
 * `node dist/app/server.js` as its own process, as `npm start` runs it, with its JSON log lines
 * read from stdout as they come: the shutdown tests send it signals and watch what it says.
 */
export interface ServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly baseUrl: string;
  /** The JSON lines it wrote to stdout so far. */
  readonly lines: LogLine[];
  readonly exited: Promise<Exit>;
  /** Resolves with the first line with this `msg` (one already written included). */
  logged(msg: string, timeoutMs?: number): Promise<LogLine>;
  stderr(): string;
  /** Kills it if it still runs and removes its data folder. */
  cleanUp(): Promise<void>;
}

/** Starts `server` on `port` with `env` (JSON logs at info) and waits until `/healthz` answers. */
export async function startServerProcess(
  server: string,
  port: number,
  env: Record<string, string>,
): Promise<ServerProcess> {
  const cwd = mkdtempSync(join(tmpdir(), 'entra-signin-shutdown-'));
  const child = spawn(process.execPath, [server], {
    cwd,
    env: {
      PATH: process.env['PATH'] ?? '',
      // Development, where logs are readable lines by default: LOG_FORMAT makes them JSON.
      NODE_ENV: 'development',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      HOST: 'localhost',
      PORT: String(port),
      BASE_URL: `http://localhost:${port}`,
      DATA_DIR: cwd,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const waiting: { msg: string; resolve: (line: LogLine) => void }[] = [];
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const complete = text.split('\n');
    partial = complete.pop() ?? '';
    for (const raw of complete) {
      // The start-up banner is plain text; every log line is one JSON object.
      if (!raw.startsWith('{')) continue;
      const line = JSON.parse(raw) as LogLine;
      lines.push(line);
      for (const waiter of waiting.filter((w) => w.msg === line.msg)) waiter.resolve(line);
    }
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  const baseUrl = `http://localhost:${port}`;
  const running: ServerProcess = {
    child,
    port,
    baseUrl,
    lines,
    exited,
    logged: (msg, timeoutMs = 10_000) => {
      const seen = lines.find((line) => line.msg === msg);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`The app did not log "${msg}" within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiting.push({
          msg,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
    stderr: () => stderr,
    cleanUp: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(cwd, { recursive: true, force: true });
    },
  };
  await waitUntilHealthy(running);
  return running;
}

async function waitUntilHealthy(app: ServerProcess): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (app.child.exitCode !== null) {
      throw new Error(`The app exited with code ${app.child.exitCode}: ${app.stderr()}`);
    }
    const healthy = await fetch(`${app.baseUrl}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await app.cleanUp();
  throw new Error(`The app did not answer /healthz within 15 s: ${app.stderr()}`);
}

/** What a new TCP connection to `port` on loopback meets: `connected`, or the error's code. */
export async function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: 'localhost' });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}
