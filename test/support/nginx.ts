/**
 * A real nginx (Debian's, at /usr/sbin/nginx or NGINX_PATH) terminating TLS in front of app
 * instances, run without root from a scratch folder with the configuration the README shows
 * (docs/nginx.conf), its ports changed to free ones. And the app instances behind it, as real
 * `node dist/app/server.js` processes whose JSON log lines the test reads.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../src/app/config.js';
import { loadTls } from '../../src/app/local-tls.js';

const ROOT = new URL('../../', import.meta.url).pathname;
/** The configuration the README shows, verbatim. */
export const NGINX_CONF = join(ROOT, 'docs', 'nginx.conf');
/** The address nginx connects to the instances from (its `proxy_bind`), and TRUST_PROXY's value. */
export const NGINX_UPSTREAM_ADDRESS = '127.0.0.3';

const nginxPath =
  process.env['NGINX_PATH'] ?? ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));

/** nginx running in the foreground. */
export interface Nginx {
  /** Its public origin, `https://localhost:PORT`. */
  readonly url: string;
  readonly port: number;
  /** Its access log so far: one `forwarded` line per request (see docs/nginx.conf). */
  accessLog(): string;
  close(): Promise<void>;
}

/**
 * The configuration of docs/nginx.conf with its listening port and its two upstream ports
 * replaced: the rest stays as the README shows it.
 */
export function nginxConfFor(port: number, upstreamPorts: readonly [number, number]): string {
  const replacements: [string, string][] = [
    ['listen 127.0.0.1:8443 ssl;', `listen 127.0.0.1:${port} ssl;`],
    ['server 127.0.0.1:5000;', `server 127.0.0.1:${upstreamPorts[0]};`],
    ['server 127.0.0.1:5002;', `server 127.0.0.1:${upstreamPorts[1]};`],
  ];
  let conf = readFileSync(NGINX_CONF, 'utf8');
  for (const [from, to] of replacements) {
    // Fail loudly when docs/nginx.conf changes shape, rather than test another configuration.
    if (!conf.includes(from)) throw new Error(`docs/nginx.conf no longer says "${from}"`);
    conf = conf.replace(from, to);
  }
  return conf;
}

/**
 * Starts nginx on `port` in front of the instances at 127.0.0.1 on `upstreamPorts`, with a
 * self-signed certificate for localhost made the way `HTTPS=adhoc` makes the app's.
 */
export async function startNginx(
  port: number,
  upstreamPorts: readonly [number, number],
): Promise<Nginx> {
  if (nginxPath === undefined) {
    throw new Error(
      'nginx is not installed: apt-get install -y nginx (as .ci/run does), or set NGINX_PATH',
    );
  }
  const prefix = mkdtempSync(join(tmpdir(), 'entra-signin-nginx-'));
  // Run as root (CI containers), nginx's workers are `nobody`: they must be able to reach their
  // temp folders inside the prefix, though not to list it.
  if (process.getuid?.() === 0) chmodSync(prefix, 0o711);
  // loadTls reads only these two settings; it writes localhost-cert.pem and localhost-key.pem.
  await loadTls({ https: { mode: 'adhoc' }, dataDir: prefix } as Pick<
    Config,
    'https' | 'dataDir'
  > as Config);
  writeFileSync(join(prefix, 'nginx.conf'), nginxConfFor(port, upstreamPorts));
  const child = spawn(nginxPath, ['-p', prefix, '-c', 'nginx.conf', '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const errorLog = () => {
    const file = join(prefix, 'error.log');
    return `${stderr}${existsSync(file) ? readFileSync(file, 'utf8') : ''}`;
  };
  await waitForPort(port, child, errorLog);
  return {
    url: `https://localhost:${port}`,
    port,
    accessLog: () => readFileSync(join(prefix, 'access.log'), 'utf8'),
    close: async () => {
      await stopChild(child, 'SIGTERM');
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

/** An app instance as a process, with the JSON log lines it wrote to standard output. */
export interface LoggedAppProcess {
  /** Where the instance itself answers, bypassing the proxy. */
  readonly directUrl: string;
  /** Its log lines so far, parsed. */
  logLines(): Record<string, unknown>[];
  stop(): Promise<void>;
}

/**
 * Starts `server.js` on 127.0.0.1:`port` with `env` in a fresh folder, logging JSON at info
 * (NODE_ENV=production: the app as deployed), and waits until it answers `/healthz`.
 */
export async function startLoggedAppProcess(
  server: string,
  port: number,
  env: Record<string, string>,
): Promise<LoggedAppProcess> {
  const cwd = mkdtempSync(join(tmpdir(), 'entra-signin-behind-nginx-'));
  const child = spawn(process.execPath, [server], {
    cwd,
    env: {
      PATH: process.env['PATH'] ?? '',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: cwd,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const directUrl = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`The app exited early: ${stderr}`);
    const healthy = await fetch(`${directUrl}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) break;
    if (attempt === 300) {
      child.kill('SIGKILL');
      throw new Error(`The app did not answer /healthz within 15 s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    directUrl,
    logLines: () =>
      stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    stop: async () => {
      await stopChild(child, 'SIGTERM');
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`nginx did not listen on ${port} within 10 s: ${log()}`);
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}
