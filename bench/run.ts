/**
 * `npm run bench`: measures the built app (`dist/app/server.js`, in a child process, SQLite sessions)
 * against a fast local provider, a Microsoft Graph fake and a bare `node:http` baseline, each in a
 * process of its own, on loopback, and writes bench/RESULTS.md. A full run ends by running
 * page-auth, profile and login again on an app started with `--cpu-prof` and saying where its
 * time went (the profiles stay in dist/bench-profiles/).
 * Options: `--quick` (short runs and no profile, to try the bench itself), `--no-profile`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarizeProfile } from './profile-summary.js';
import { memoryMiB, startNode, type Child } from './processes.js';
import { measureAdapters } from './adapters.js';
import { appFiguresOf, measureEoc } from './eoc.js';
import { renderResults, renderTable, writeResults, type BenchReport } from './report.js';
import { loadPage, loadSignIns, signInOnce, type Measurement } from './scenarios.js';
import {
  checkProfilePage,
  dropTokenRecord,
  signInMany,
  tokenRecordLength,
} from './session-setup.js';
import { measureSqliteLookups } from './session-scale.js';
import { readSessionSample } from './session-sample.js';
import { measureWorkers } from './workers.js';
import { measureStartTimes } from './start-time.js';
import { measureAppMemory, measureRedis, type AppInstance } from './scale-steps.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
// The app runs with the V8 flags of `npm start` (package.json), so that the bench measures what
// people run: the memory figures depend on them. BENCH_NODE_FLAGS replaces them, to compare.
const APP_NODE_FLAGS = (
  process.env['BENCH_NODE_FLAGS'] ??
  (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } })
    .scripts.start
)
  .split(/\s+/)
  .filter((word) => word.startsWith('--'));
const quick = process.argv.includes('--quick');
// Profiles are part of a full run: a missed target comes with where the time went.
const profile =
  process.argv.includes('--profile') || (!quick && !process.argv.includes('--no-profile'));
const SECONDS = quick ? 3 : 10;
const CONNECTIONS = 32;
const LOGIN_USERS = 16;
const MEMORY_SESSIONS = quick ? 20_000 : 100_000;
const SQLITE_SESSIONS = quick ? 100_000 : 1_000_000;
const REDIS_SESSIONS = quick ? 100_000 : 1_000_000;
// What the app asks for on behalf of Graph: Entra's default (src/core/api-options.ts), so each
// sign-in leaves a token record beside its session, as in production.
const API_SCOPES = 'User.Read';

/** The servers the app talks to, and how to start the app against them. */
interface Bench {
  readonly appUrl: string;
  readonly issuer: string;
  /** The Graph fake's origin (GRAPH_URL). */
  readonly graphUrl: string;
  /** The app's client at the provider, which also serves the examples and eoc's app. */
  readonly client: { CLIENT_ID: string; CLIENT_SECRET: string };
  /** Where the examples (bench/adapters.ts) and eoc's app (bench/eoc-app.ts) listen. */
  readonly exampleUrl: string;
  readonly eocUrl: string;
  /** Where the app instances on one Redis listen (bench/scale-steps.ts). */
  readonly redisAppUrls: readonly string[];
  /** The app on SQLite at appUrl, or as `instance` says (another port, store, secret). */
  startApp(dir: string, withProfile: boolean, instance?: AppInstance): Promise<Child>;
}

/** The sessions the scenarios send, all from complete sign-ins. */
interface Sessions {
  /** page-auth's: one session, with the token record every sign-in now leaves. */
  readonly withTokens: string;
  /** page-auth-no-tokens': the same kind of session, its token record removed from the store. */
  readonly withoutTokens: string;
  /** profile's: one per connection, so that no two requests share a token look-up. */
  readonly perConnection: readonly string[];
}

async function main(): Promise<void> {
  const server = join(ROOT, 'dist', 'app', 'server.js');
  if (!existsSync(server))
    throw new Error('dist/app/server.js is missing: run npm run build first');
  const work = mkdtempSync(join(tmpdir(), 'entra-signin-bench-'));
  const profileDir = join(ROOT, 'dist', 'bench-profiles');
  const children: Child[] = [];
  try {
    const bench = await startServers(server, profileDir, children);

    step(
      'app: start, check that it refuses an ID token signed with a key the provider never published',
    );
    const app = await bench.startApp(join(work, 'app'), false);
    const sessions = await prepareSessions(bench, join(work, 'app', 'sessions.db'));

    step('warm-up');
    await loadSignIns({ appUrl: bench.appUrl, pid: app.pid, users: LOGIN_USERS, seconds: 2 });
    await loadPage('warm-up', { ...pageAuth(bench, app, 2), cookie: sessions.withTokens });
    await loadPage('warm-up', { ...profilePage(bench, app, 2), cookies: sessions.perConnection });
    const pageBytes = Buffer.byteLength(
      await (
        await fetch(`${bench.appUrl}/token_details`, { headers: { cookie: sessions.withTokens } })
      ).text(),
    );

    const results = await measureScenarios(bench, app, sessions, pageBytes, children);
    const homeBytes = Buffer.byteLength(await (await fetch(`${bench.appUrl}/`)).text());
    const appPeakRssMiB = memoryMiB(app.pid).peak;
    // A session as the app stored it after a real sign-in: what the scale steps copy.
    const sample = readSessionSample(join(work, 'app', 'sessions.db'), sessions.withTokens);
    await app.stop();

    step(
      'adapters: each example’s GET /token_details with and without entra-signin (memory store)',
    );
    const client = { clientId: bench.client.CLIENT_ID, clientSecret: bench.client.CLIENT_SECRET };
    const warmUpSeconds = quick ? 1 : 2;
    const adapters = await measureAdapters({
      ...client,
      baseUrl: bench.exampleUrl,
      authority: bench.issuer,
      connections: CONNECTIONS,
      seconds: SECONDS,
      warmUpSeconds,
    });
    step('eoc: express-openid-connect’s app, page-auth, page-anon and login as above');
    const eoc = await measureEoc({
      ...client,
      baseUrl: bench.eocUrl,
      issuer: bench.issuer,
      pageBytes,
      homeBytes,
      connections: CONNECTIONS,
      loginUsers: LOGIN_USERS,
      seconds: SECONDS,
      warmUpSeconds,
    });

    step('npm start: until the first answer, twice (built already; no tenant)');
    const starts = await measureStartTimes({ root: ROOT, work, port: await freePort() });

    step('workers: page-auth on fresh apps with WORKERS=1 and WORKERS=2 (node:cluster)');
    results.push(
      ...(await measureWorkers({
        appUrl: bench.appUrl,
        work,
        connections: CONNECTIONS,
        seconds: SECONDS,
        warmUpSeconds,
        startApp: bench.startApp,
      })),
    );

    const profileLines = profile ? await profileScenarios(bench, profileDir, work) : [];

    const scale = {
      ...bench,
      work,
      connections: CONNECTIONS,
      loginUsers: LOGIN_USERS,
      seconds: SECONDS,
      step,
    };
    const memory = await measureAppMemory(scale, {
      sample,
      sessions: MEMORY_SESSIONS,
      scenariosPeakMiB: appPeakRssMiB,
    });

    step(
      `sqlite: ${SQLITE_SESSIONS.toLocaleString('en')} sessions like the app's (token record included): size, look-ups`,
    );
    const sqlite = await measureSqliteLookups({ count: SQLITE_SESSIONS, lookups: 20_000, sample });
    const redis = await measureRedis(scale, { sample, sessions: REDIS_SESSIONS });

    const report: BenchReport = {
      results,
      memory,
      sqlite: { ...sqlite, sessions: SQLITE_SESSIONS },
      redis,
      settings: {
        seconds: SECONDS,
        connections: CONNECTIONS,
        loginUsers: LOGIN_USERS,
        pageBytes,
        quick,
        apiScopes: API_SCOPES,
      },
      profile: profileLines,
      adapters,
      eoc: { app: appFiguresOf(results, appPeakRssMiB), eoc, loginUsers: LOGIN_USERS },
      starts,
    };
    process.stdout.write(`\n${renderTable(report)}\n`);
    if (profileLines.length > 0) process.stdout.write(`\n${profileLines.join('\n')}\n`);
    if (!quick) {
      writeResults(join(ROOT, 'bench', 'RESULTS.md'), renderResults(report));
      process.stdout.write('\nWrote bench/RESULTS.md\n');
    }
  } finally {
    await Promise.allSettled(children.map((child) => child.stop()));
    rmSync(work, { recursive: true, force: true });
  }
}

// The provider, then the Graph fake (which trusts the provider's keys); the app starts later.
async function startServers(server: string, profileDir: string, children: Child[]) {
  const appPort = await freePort();
  const appUrl = `http://127.0.0.1:${appPort}`;
  const client = { CLIENT_ID: 'bench-app', CLIENT_SECRET: randomBytes(32).toString('base64url') };
  const exampleUrl = `http://127.0.0.1:${await freePort()}`;
  const eocUrl = `http://127.0.0.1:${await freePort()}`;
  const redisAppUrls = [
    `http://127.0.0.1:${await freePort()}`,
    `http://127.0.0.1:${await freePort()}`,
  ];
  const redirectUris = [
    `${appUrl}/auth/redirect`,
    `${exampleUrl}/auth/redirect`,
    `${eocUrl}/callback`,
    ...redisAppUrls.map((url) => `${url}/auth/redirect`),
  ];
  const idp = await startNode(benchScript('fast-idp.js'), {
    env: { ...client, REDIRECT_URIS: redirectUris.join(',') },
  });
  children.push(idp.child);
  const issuer = String(idp.announced['issuer']);
  const photoSize = process.env['BENCH_PHOTO_SIZE'];
  const graph = await startNode(benchScript('fake-graph.js'), {
    env: { ISSUER: issuer, ...(photoSize === undefined ? {} : { PHOTO_SIZE: photoSize }) },
  });
  children.push(graph.child);
  const graphUrl = String(graph.announced['url']);
  const startApp = async (dir: string, withProfile: boolean, instance?: AppInstance) => {
    const url = instance?.url ?? appUrl;
    mkdirSync(dir, { recursive: true });
    const app = await startNode(server, {
      cwd: dir,
      nodeArgs: [
        ...APP_NODE_FLAGS,
        ...(withProfile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
      ],
      readyUrl: `${url}/healthz`,
      env: {
        ...client,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: new URL(url).port,
        BASE_URL: url,
        AUTHORITY: issuer,
        API_SCOPES,
        GRAPH_URL: graphUrl,
        SESSION_SECRET: randomBytes(32).toString('base64url'),
        SESSION_STORE: `sqlite:${join(dir, 'sessions.db')}`,
        DATA_DIR: dir,
        LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'info',
        ...instance?.env,
      },
    });
    children.push(app.child);
    return app.child;
  };
  return {
    appUrl,
    issuer,
    graphUrl,
    client,
    exampleUrl,
    eocUrl,
    redisAppUrls,
    startApp,
  } satisfies Bench;
}

// The provider signs the next ID token with a key it never published: the app must refuse it.
// Then the sessions, each checked for what its scenario means it to be.
async function prepareSessions(bench: Bench, dbFile: string): Promise<Sessions> {
  await fetch(`${bench.issuer}/rogue-next`);
  const rogue = await signInOnce(bench.appUrl);
  if (rogue.ok) throw new Error('The app accepted an ID token with a forged signature');
  const [withTokens = '', withoutTokens = ''] = await signInMany(bench.appUrl, 2);
  const recordLength = tokenRecordLength(dbFile, withTokens);
  if (recordLength === null) throw new Error('A sign-in left no token record in the store');
  dropTokenRecord(dbFile, withoutTokens);
  if (tokenRecordLength(dbFile, withoutTokens) !== null) throw new Error('A token record stayed');
  const perConnection = await signInMany(bench.appUrl, CONNECTIONS);
  const profileBytes = await checkProfilePage(bench.appUrl, perConnection[0] ?? '');
  step(
    `sessions: each sign-in stores a ${recordLength}-character sealed token record; ` +
      `GET /profile shows the Graph fake's profile and photo (${profileBytes} bytes)`,
  );
  return { withTokens, withoutTokens, perConnection };
}

async function measureScenarios(
  bench: Bench,
  app: Child,
  sessions: Sessions,
  pageBytes: number,
  children: Child[],
): Promise<Measurement[]> {
  const results: Measurement[] = [];
  step(`baseline: bare node:http, a ${pageBytes}-byte page`);
  const baseline = await startNode(benchScript('baseline-server.js'), {
    env: { BODY_BYTES: String(pageBytes) },
  });
  children.push(baseline.child);
  results.push(
    await loadPage('baseline', {
      url: `http://127.0.0.1:${String(baseline.announced['port'])}/`,
      pid: baseline.child.pid,
      connections: CONNECTIONS,
      seconds: SECONDS,
    }),
  );
  await baseline.child.stop();
  step('page-auth: GET /token_details, signed in (the session has its token record)');
  results.push(
    await loadPage('page-auth', { ...pageAuth(bench, app, SECONDS), cookie: sessions.withTokens }),
  );
  step('page-auth-no-tokens: the same, a session whose token record was removed (control)');
  results.push(
    await loadPage('page-auth-no-tokens', {
      ...pageAuth(bench, app, SECONDS),
      cookie: sessions.withoutTokens,
    }),
  );
  step('page-anon: GET /');
  results.push(
    await loadPage('page-anon', {
      url: `${bench.appUrl}/`,
      pid: app.pid,
      connections: CONNECTIONS,
      seconds: SECONDS,
    }),
  );
  step(`profile: GET /profile (Graph /me and photo), ${CONNECTIONS} sessions, cached tokens`);
  const graphBefore = await fakeGraphStats(bench.graphUrl);
  const measured = await loadPage('profile', {
    ...profilePage(bench, app, SECONDS),
    cookies: sessions.perConnection,
  });
  const graphAfter = await fakeGraphStats(bench.graphUrl);
  results.push({
    ...measured,
    note:
      `${graphAfter.requests - graphBefore.requests} requests to the Graph fake over ` +
      `${graphAfter.connections - graphBefore.connections} new connections`,
  });
  step(`login: ${LOGIN_USERS} virtual users signing in again and again`);
  results.push(
    await loadSignIns({ appUrl: bench.appUrl, pid: app.pid, users: LOGIN_USERS, seconds: SECONDS }),
  );
  return results;
}

// A profile per scenario, each from an app that served only that scenario.
async function profileScenarios(bench: Bench, profileDir: string, work: string) {
  const lines: string[] = [];
  for (const scenario of ['page-auth', 'profile', 'login'] as const) {
    step(`profile: ${scenario} with --cpu-prof`);
    rmSync(profileDir, { recursive: true, force: true });
    const app = await bench.startApp(join(work, `profile-${scenario}`), true);
    if (scenario === 'login') {
      await loadSignIns({
        appUrl: bench.appUrl,
        pid: app.pid,
        users: LOGIN_USERS,
        seconds: SECONDS,
      });
    } else if (scenario === 'profile') {
      const cookies = await signInMany(bench.appUrl, CONNECTIONS);
      await loadPage(scenario, { ...profilePage(bench, app, SECONDS), cookies });
    } else {
      const [cookie = ''] = await signInMany(bench.appUrl, 1);
      await loadPage(scenario, { ...pageAuth(bench, app, SECONDS), cookie });
    }
    await app.stop();
    const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
    if (file !== undefined) {
      lines.push(`${scenario}:`, ...summarizeProfile(join(profileDir, file)), '');
    }
  }
  return lines;
}

function pageAuth(bench: Bench, app: Child, seconds: number) {
  const url = `${bench.appUrl}/token_details`;
  return { url, pid: app.pid, connections: CONNECTIONS, seconds };
}

function profilePage(bench: Bench, app: Child, seconds: number) {
  return { url: `${bench.appUrl}/profile`, pid: app.pid, connections: CONNECTIONS, seconds };
}

async function fakeGraphStats(
  graphUrl: string,
): Promise<{ connections: number; requests: number }> {
  const response = await fetch(`${graphUrl}/_fake/stats`);
  return (await response.json()) as { connections: number; requests: number };
}

function benchScript(name: string): string {
  return fileURLToPath(new URL(`./${name}`, import.meta.url));
}

function step(text: string): void {
  process.stdout.write(`• ${text}\n`);
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
