/**
 * `npm run bench`: measures the built app (`dist/app/server.js`, in a child process, SQLite sessions)
 * against a fast local provider and a bare `node:http` baseline, on loopback, and writes
 * bench/RESULTS.md. A full run ends by running page-auth and login again on an app started with
 * `--cpu-prof` and saying where its time went (the profiles stay in dist/bench-profiles/).
 * Options: `--quick` (short runs and no profile, to try the bench itself), `--no-profile`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarizeProfile } from './profile-summary.js';
import { startNode, type Child } from './processes.js';
import { renderResults, renderTable, writeResults, type BenchReport } from './report.js';
import { loadPage, loadSignIns, signInOnce, type Measurement } from './scenarios.js';
import { measureMemoryGrowth, measureSqliteLookups, type MemoryGrowth } from './session-scale.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const quick = process.argv.includes('--quick');
// Profiles are part of a full run: a missed target comes with where the time went.
const profile =
  process.argv.includes('--profile') || (!quick && !process.argv.includes('--no-profile'));
const SECONDS = quick ? 3 : 10;
const CONNECTIONS = 32;
const LOGIN_USERS = 16;
const MEMORY_SESSIONS = quick ? 20_000 : 100_000;
const SQLITE_SESSIONS = quick ? 100_000 : 1_000_000;

async function main(): Promise<void> {
  const server = join(ROOT, 'dist', 'app', 'server.js');
  if (!existsSync(server))
    throw new Error('dist/app/server.js is missing: run npm run build first');
  const work = mkdtempSync(join(tmpdir(), 'entra-signin-bench-'));
  const profileDir = join(ROOT, 'dist', 'bench-profiles');
  const children: Child[] = [];
  try {
    const appPort = await freePort();
    const appUrl = `http://127.0.0.1:${appPort}`;
    const client = { CLIENT_ID: 'bench-app', CLIENT_SECRET: randomBytes(32).toString('base64url') };
    const idp = await startNode(fileURLToPath(new URL('./fast-idp.js', import.meta.url)), {
      env: { ...client, REDIRECT_URIS: `${appUrl}/auth/redirect` },
    });
    children.push(idp.child);
    const startApp = async (dir: string, withProfile: boolean) => {
      mkdirSync(dir, { recursive: true });
      const app = await startNode(server, {
        cwd: dir,
        nodeArgs: withProfile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [],
        readyUrl: `${appUrl}/healthz`,
        env: {
          ...client,
          NODE_ENV: 'production',
          HOST: '127.0.0.1',
          PORT: String(appPort),
          BASE_URL: appUrl,
          AUTHORITY: String(idp.announced['issuer']),
          SESSION_SECRET: randomBytes(32).toString('base64url'),
          SESSION_STORE: `sqlite:${join(dir, 'sessions.db')}`,
          DATA_DIR: dir,
          LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'info',
        },
      });
      children.push(app.child);
      return app.child;
    };

    step(
      'app: start, check that it refuses an ID token signed with a key the provider never published',
    );
    const app = await startApp(join(work, 'app'), false);
    await fetch(`${String(idp.announced['issuer'])}/rogue-next`);
    const rogue = await signInOnce(appUrl);
    if (rogue.ok) throw new Error('The app accepted an ID token with a forged signature');
    const signedIn = await signInOnce(appUrl);
    if (!signedIn.ok) throw new Error(`A sign-in failed (status ${signedIn.status})`);
    const cookie = signedIn.cookie;

    step('warm-up');
    await loadSignIns({ appUrl, pid: app.pid, users: LOGIN_USERS, seconds: 2 });
    await loadPage('warm-up', {
      url: `${appUrl}/token_details`,
      pid: app.pid,
      connections: CONNECTIONS,
      seconds: 2,
      cookie,
    });
    const pageBytes = Buffer.byteLength(
      await (await fetch(`${appUrl}/token_details`, { headers: { cookie } })).text(),
    );

    const results: Measurement[] = [];
    step(`baseline: bare node:http, a ${pageBytes}-byte page`);
    const baseline = await startNode(
      fileURLToPath(new URL('./baseline-server.js', import.meta.url)),
      {
        env: { BODY_BYTES: String(pageBytes) },
      },
    );
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
    step('page-auth: GET /token_details, signed in');
    results.push(
      await loadPage('page-auth', {
        url: `${appUrl}/token_details`,
        pid: app.pid,
        connections: CONNECTIONS,
        seconds: SECONDS,
        cookie,
      }),
    );
    step('page-anon: GET /');
    results.push(
      await loadPage('page-anon', {
        url: `${appUrl}/`,
        pid: app.pid,
        connections: CONNECTIONS,
        seconds: SECONDS,
      }),
    );
    step(`login: ${LOGIN_USERS} virtual users signing in again and again`);
    results.push(await loadSignIns({ appUrl, pid: app.pid, users: LOGIN_USERS, seconds: SECONDS }));
    await app.stop();

    // A profile per scenario, each from an app that served only that scenario.
    const profileLines: string[] = [];
    if (profile) {
      for (const scenario of ['page-auth', 'login'] as const) {
        step(`profile: ${scenario} with --cpu-prof`);
        rmSync(profileDir, { recursive: true, force: true });
        const profiled = await startApp(join(work, `profile-${scenario}`), true);
        const session = await signInOnce(appUrl);
        if (scenario === 'login') {
          await loadSignIns({ appUrl, pid: profiled.pid, users: LOGIN_USERS, seconds: SECONDS });
        } else {
          await loadPage(scenario, {
            url: `${appUrl}/token_details`,
            pid: profiled.pid,
            connections: CONNECTIONS,
            seconds: SECONDS,
            cookie: session.cookie,
          });
        }
        await profiled.stop();
        const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
        if (file !== undefined) {
          profileLines.push(`${scenario}:`, ...summarizeProfile(join(profileDir, file)), '');
        }
      }
    }

    step(
      `memory: fresh apps, ${MEMORY_SESSIONS.toLocaleString('en')} sign-ins started, and a control`,
    );
    const memory: MemoryGrowth[] = [];
    for (const path of ['/auth/sign_in', '/'] as const) {
      const fresh = await startApp(join(work, `memory${path.replaceAll('/', '-')}`), false);
      memory.push(
        await measureMemoryGrowth({ appUrl, pid: fresh.pid, path, count: MEMORY_SESSIONS }),
      );
      await fresh.stop();
    }

    step(`sqlite: look-ups among ${SQLITE_SESSIONS.toLocaleString('en')} sessions`);
    const sqlite = await measureSqliteLookups({ count: SQLITE_SESSIONS, lookups: 20_000 });

    const report: BenchReport = {
      results,
      memory: {
        sessions: memory[0] as MemoryGrowth,
        control: memory[1] as MemoryGrowth,
        count: MEMORY_SESSIONS,
      },
      sqlite: { ...sqlite, sessions: SQLITE_SESSIONS },
      settings: {
        seconds: SECONDS,
        connections: CONNECTIONS,
        loginUsers: LOGIN_USERS,
        pageBytes,
        quick,
      },
      profile: profileLines,
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
