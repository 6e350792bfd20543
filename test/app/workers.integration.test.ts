/**
 * WORKERS=2 (issue 13): the built app as its own process (`node dist/app/server.js`), whose
 * primary runs the one development identity provider and two workers sharing the port and a
 * SQLite file. Each request goes over a connection of its own, so that node:cluster hands them
 * to the workers in turn; the JSON log lines say which process (`pid`) served each.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildServer, signInThrough } from '../support/app-process.js';
import { findFreePort } from '../support/free-port.js';
import { FreshConnectionAgent, type AppRequestRecord } from './fresh-connection-agent.js';
import { readSamples, sampleValue } from './prometheus-text.js';
import {
  startServerProcess,
  tryConnect,
  type LogLine,
  type ServerProcess,
} from './server-process.js';
import { undoAfterEach } from '../support/undo-after-each.js';

let server: string;
beforeAll(async () => {
  server = await buildServer();
}, 180_000);

// What each test started, undone in reverse order whatever the test's outcome.
const cleanup = undoAfterEach();

interface Workers {
  readonly app: ServerProcess;
  readonly dataDir: string;
  readonly devIdpPort: number;
  /** A user agent whose every request to the app opens a new connection. */
  readonly agent: () => FreshConnectionAgent;
}

/** The app with WORKERS=2, the development provider and a SQLite file, once both workers listen. */
async function startWorkers(env: Record<string, string> = {}): Promise<Workers> {
  const port = await findFreePort();
  const devIdpPort = await findFreePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'entra-signin-workers-'));
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const app = await startServerProcess(server, port, {
    WORKERS: '2',
    DEV_IDP_PORT: String(devIdpPort),
    DATA_DIR: dataDir,
    SESSION_STORE: `sqlite:${join(dataDir, 'sessions.db')}`,
    ...env,
  });
  cleanup.push(() => app.cleanUp());
  await app.logged('all workers listening', 30_000);
  const records: AppRequestRecord[] = [];
  return { app, dataDir, devIdpPort, agent: () => new FreshConnectionAgent(app.baseUrl, records) };
}

/** Resolves with the first line that `matches`, already written or to come. */
async function lineLogged(
  app: ServerProcess,
  matches: (line: LogLine) => boolean,
  timeoutMs = 30_000,
): Promise<LogLine> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const line = app.lines.find(matches);
    if (line !== undefined) return line;
    if (performance.now() > until) throw new Error(`No such log line within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const workerPids = (app: ServerProcess) =>
  app.lines.filter((line) => line.msg === 'worker listening').map((line) => line.workerPid);

/** The processes that logged a completed request for `path`. */
function pidsServing(app: ServerProcess, path: string): Set<unknown> {
  return new Set(
    app.lines
      .filter((line) => line.msg === 'request completed')
      .filter((line) => (line['req'] as { url?: string } | undefined)?.url === path)
      .map((line) => line['pid']),
  );
}

/** Opens `/token_details` `times` times, each over a new connection; returns the statuses. */
async function openDetails(workers: Workers, agent: FreshConnectionAgent, times: number) {
  const statuses: number[] = [];
  for (let i = 0; i < times; i += 1) {
    statuses.push((await agent.get(`${workers.app.baseUrl}/token_details`)).status);
  }
  return statuses;
}

describe('WORKERS=2 with the development provider and a SQLite file', () => {
  it('signs a person in through the one provider, and both workers serve that session', async () => {
    const workers = await startWorkers();
    const agent = workers.agent();
    expect((await signInThrough(agent, workers.app.baseUrl)).body).toContain('Alice Example');
    expect(await openDetails(workers, agent, 8)).toEqual(Array(8).fill(200));
    const pids = workerPids(workers.app);
    expect(new Set(pids).size).toBe(2);
    expect(pidsServing(workers.app, '/token_details')).toEqual(new Set(pids));
  }, 90_000);

  it('keeps the generated development session secret out of the logs', async () => {
    const workers = await startWorkers();
    await signInThrough(workers.agent(), workers.app.baseUrl);
    const secret = readFileSync(join(workers.dataDir, 'session-secret'), 'utf8').trim();
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(JSON.stringify(workers.app.lines)).not.toContain(secret);
    expect(workers.app.stderr()).not.toContain(secret);
  }, 90_000);

  it('replaces a worker killed with SIGKILL, and the person stays signed in', async () => {
    const workers = await startWorkers();
    const agent = workers.agent();
    await signInThrough(agent, workers.app.baseUrl);
    const [killed, kept] = workerPids(workers.app);
    process.kill(Number(killed), 'SIGKILL');

    const died = await lineLogged(
      workers.app,
      (line) => line.msg === 'worker exited: starting another' && line.workerPid === killed,
    );
    expect(died.signal).toBe('SIGKILL');
    const replacement = await lineLogged(
      workers.app,
      (line) => line.msg === 'worker listening' && ![killed, kept].includes(line.workerPid),
    );

    expect(await openDetails(workers, agent, 8)).toEqual(Array(8).fill(200));
    expect(pidsServing(workers.app, '/token_details')).toContain(replacement.workerPid);
  }, 90_000);

  it('drains every worker on SIGTERM, closes the provider and exits with 0', async () => {
    const workers = await startWorkers();
    await signInThrough(workers.agent(), workers.app.baseUrl);
    workers.app.child.kill('SIGTERM');
    const exit = await workers.app.exited;

    expect(exit.code).toBe(0);
    const stopped = workers.app.lines.filter((line) => line.msg === 'worker stopped');
    expect(stopped.map((line) => line.code)).toEqual([0, 0]);
    expect(workers.app.lines.some((line) => line.msg === 'worker exited: starting another')).toBe(
      false,
    );
    expect(await tryConnect(workers.devIdpPort)).not.toBe('connected');
  }, 90_000);

  it('serves METRICS_PORT from the primary, counting the requests of both workers', async () => {
    const metricsPort = await findFreePort();
    const workers = await startWorkers({ METRICS_PORT: String(metricsPort) });
    const agent = workers.agent();
    for (let i = 0; i < 6; i += 1) await agent.get(`${workers.app.baseUrl}/`);
    expect(pidsServing(workers.app, '/').size).toBe(2);

    const scrape = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(scrape.status).toBe(200);
    const samples = readSamples(await scrape.text());
    expect(
      sampleValue(samples, 'entra_signin_http_request_duration_seconds_count', { route: '/' }),
    ).toBe(6);
  }, 90_000);

  it('exits with 1 when the workers cannot listen, rather than restarting them', async () => {
    const port = await findFreePort();
    // A port in use, answering nothing: no worker can listen there.
    const taken = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => taken.listen(port, 'localhost', resolve));
    cleanup.push(() => new Promise((resolve) => taken.close(resolve)));
    await expect(
      startServerProcess(server, port, {
        WORKERS: '2',
        DEV_IDP_PORT: String(await findFreePort()),
      }),
    ).rejects.toThrow(/exited with code 1/);
  }, 90_000);
});
