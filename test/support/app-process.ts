import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { DEV_TENANT_ID } from '../../src/app/config.js';
import { startDevIdp, type DevIdp } from '../../src/dev-idp/dev-idp.js';
import type { Page, UserAgent } from './user-agent.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const CACHE = join(ROOT, 'node_modules', '.cache', 'entra-signin-test-build');

/** The app running as its own `node dist/app/server.js` process, as `npm start` runs it. */
export interface AppProcess {
  /** Where this process itself answers (its BASE_URL may name a balancer in front of it). */
  readonly baseUrl: string;
  readonly pid: number;
  /** What the process wrote to stderr so far. */
  stderr(): string;
  /** Ends the process with SIGTERM, as a process manager would, and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Compiles `src/` once per content (`tsc -p tsconfig.build.json`) into a cache folder and returns
 * the path of its `server.js`. The build sits next to a link to `public/`, as `dist/` sits in
 * the repository, and never touches the `dist/` that people run. Test files that run at the same
 * time share one build.
 */
export async function buildServer(): Promise<string> {
  const target = join(CACHE, sourceHash());
  const server = join(target, 'dist', 'app', 'server.js');
  if (existsSync(server)) return server;
  mkdirSync(CACHE, { recursive: true });
  const staging = mkdtempSync(join(CACHE, 'staging-'));
  // Emit only: type checking is `npm run typecheck`'s job, and emitting alone takes half the time.
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  await promisify(execFile)(
    process.execPath,
    [tsc, '-p', 'tsconfig.build.json', '--noCheck', '--outDir', join(staging, 'dist')],
    { cwd: ROOT },
  );
  symlinkSync(join(ROOT, 'public'), join(staging, 'public'));
  try {
    renameSync(staging, target);
  } catch {
    // Another test file finished the same build first: use it.
    rmSync(staging, { recursive: true, force: true });
  }
  pruneOldBuilds(target);
  return server;
}

// Every change to src/ makes a new build; those of an hour ago serve no test still running.
function pruneOldBuilds(keep: string): void {
  for (const entry of readdirSync(CACHE)) {
    const path = join(CACHE, entry);
    if (path !== keep && Date.now() - statSync(path).mtimeMs > 3_600_000) {
      rmSync(path, { recursive: true, force: true });
    }
  }
}

function sourceHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else hash.update(relative(ROOT, path)).update(readFileSync(path));
    }
  };
  walk(join(ROOT, 'src'));
  hash
    .update(readFileSync(join(ROOT, 'tsconfig.json')))
    .update(readFileSync(join(ROOT, 'tsconfig.build.json')));
  return hash.digest('hex').slice(0, 16);
}

/**
 * Starts `server.js` as a child process with `env` on `port`, in a fresh data folder (so no
 * `.env` of the repository applies), and waits until it answers `/healthz`.
 */
export async function startAppProcess(
  server: string,
  port: number,
  env: Record<string, string>,
): Promise<AppProcess> {
  const cwd = mkdtempSync(join(tmpdir(), 'entra-signin-process-'));
  const child = spawn(process.execPath, [server], {
    cwd,
    env: {
      PATH: process.env['PATH'] ?? '',
      NODE_ENV: 'test',
      HOST: 'localhost',
      PORT: String(port),
      BASE_URL: `http://localhost:${port}`,
      DATA_DIR: cwd,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  // The host of BASE_URL, so that cookies set here are sent back after the provider's redirect.
  const baseUrl = `http://localhost:${port}`;
  await waitUntilHealthy(baseUrl, child, () => stderr);
  return {
    baseUrl,
    pid: child.pid ?? 0,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

async function waitUntilHealthy(baseUrl: string, child: ChildProcess, stderr: () => string) {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (child.exitCode !== null) {
      throw new Error(`The app process exited with code ${child.exitCode}: ${stderr()}`);
    }
    const healthy = await fetch(`${baseUrl}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`The app process did not answer /healthz within 15 s: ${stderr()}`);
}

/** A development identity provider that several app processes share, and their common settings. */
export interface SharedProvider {
  readonly idp: DevIdp;
  /** AUTHORITY, CLIENT_ID, CLIENT_SECRET and SESSION_SECRET for every app process. */
  readonly env: Record<string, string>;
}

/**
 * Starts the development identity provider in the test process, registered for the apps at
 * `appOrigins`: two app processes cannot each start their own on one port.
 */
export async function startSharedProvider(appOrigins: string[]): Promise<SharedProvider> {
  const clientSecret = randomBytes(32).toString('base64url');
  const idp = await startDevIdp({
    port: 0,
    nodeEnv: 'test',
    tenantId: DEV_TENANT_ID,
    clientId: 'entra-signin-processes',
    clientSecret,
    redirectUris: appOrigins.map((origin) => `${origin}/auth/redirect`),
    postLogoutRedirectUris: appOrigins.map((origin) => `${origin}/auth/post_sign_out`),
  });
  return {
    idp,
    env: {
      AUTHORITY: idp.issuer,
      CLIENT_ID: 'entra-signin-processes',
      CLIENT_SECRET: clientSecret,
      SESSION_SECRET: randomBytes(32).toString('base64url'),
    },
  };
}

/** Signs `agent` in as Alice through the app at `baseUrl`; returns the page it lands on. */
export async function signInThrough(agent: UserAgent, baseUrl: string): Promise<Page> {
  const loginPage = await agent.get(`${baseUrl}/auth/sign_in`);
  return agent.submitForm(loginPage, { username: 'alice@contoso.test', password: 'Passw0rd!' });
}

/** Signs `agent` out through the app at `baseUrl`, confirming at the provider. */
export async function signOutThrough(agent: UserAgent, baseUrl: string): Promise<Page> {
  const signOutPage = await agent.get(`${baseUrl}/auth/sign_out`);
  const confirm = await agent.submitForm(signOutPage);
  return agent.submitForm(confirm, { logout: 'yes' });
}
