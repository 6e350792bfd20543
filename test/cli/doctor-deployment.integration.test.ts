/**
 * `npm run doctor`'s warnings for settings that work but are known deployment mistakes (the
 * README's "Common mistakes" table): each one warns, none fails the run, and a good production
 * configuration, in a container, hears of none of them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctorCommand } from '../../src/cli/doctor/doctor-command.js';
import { startDevIdp, type DevIdp } from '../../src/dev-idp/dev-idp.js';
import { capturedIo } from '../support/captured-io.js';

const CLIENT_ID = 'doctor-deployment-app';
const CLIENT_SECRET = 'doctor-deployment-secret';
let idp: DevIdp;
let dir: string;
/** A file that says "Docker", as /.dockerenv does; the machine's own is never looked at. */
let dockerEnvFile: string;
let noDockerEnvFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'entra-signin-doctor-deployment-'));
  dockerEnvFile = join(dir, 'dockerenv');
  writeFileSync(dockerEnvFile, '');
  noDockerEnvFile = join(dir, 'no-dockerenv');
  idp = await startDevIdp({
    port: 0,
    nodeEnv: 'test',
    tenantId: 'c0ffee00-0000-4000-8000-000000000002',
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: ['https://signin.example.com/auth/redirect'],
    postLogoutRedirectUris: ['https://signin.example.com/auth/post_sign_out'],
  });
});
afterAll(async () => {
  await idp.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A production configuration without any of the mistakes: each test adds one. */
const GOOD_PRODUCTION = {
  NODE_ENV: 'production',
  HOST: '0.0.0.0',
  BASE_URL: 'https://signin.example.com',
  TRUST_PROXY: '10.0.0.5',
  SESSION_STORE: 'redis://redis.internal:6379',
};

async function doctor(env: Record<string, string>, inDocker = false) {
  const io = capturedIo();
  const code = await runDoctorCommand([], io, {
    cwd: dir,
    env: {
      AUTHORITY: idp.issuer,
      CLIENT_ID,
      CLIENT_SECRET,
      SESSION_SECRET: 'a-session-secret-of-at-least-32-characters!',
      DATA_DIR: dir,
      ...env,
    },
    dockerEnvFile: inDocker ? dockerEnvFile : noDockerEnvFile,
  });
  const warnings = io.lines.filter((line) => line.startsWith('! '));
  return { code, lines: io.lines, warnings, text: io.text() };
}

/** The three lines of a warning: its title, what was found, and the fix. */
function warningAt(lines: string[], title: string): string[] {
  const at = lines.indexOf(`! ${title}`);
  return at === -1 ? [] : lines.slice(at, at + 3);
}

describe('npm run doctor warns, without failing,', () => {
  it('when TRUST_PROXY=true, which trusts whatever the client writes in X-Forwarded-For', async () => {
    const { code, lines, warnings } = await doctor({ TRUST_PROXY: 'true' });
    expect(warnings).toEqual(['! TRUST_PROXY names the proxy']);
    expect(warningAt(lines, 'TRUST_PROXY names the proxy')).toEqual([
      '! TRUST_PROXY names the proxy',
      '    TRUST_PROXY=true trusts whatever the client writes in X-Forwarded-For: anyone can choose the address that the logs, the audit events and the sessions page show for them.',
      '    Fix: Name the proxy’s address instead: TRUST_PROXY=10.0.0.5, a range such as 10.0.0.0/24, or loopback for a proxy on this machine.',
    ]);
    expect(lines.at(-1)).toBe('No problems found, but 1 warning: see it above.');
    expect(code).toBe(0);
  });

  it('when SESSION_STORE=memory with NODE_ENV=production, which signs people out', async () => {
    const { code, lines, warnings } = await doctor({ ...GOOD_PRODUCTION, SESSION_STORE: 'memory' });
    const title = 'Sessions are kept where every instance finds them';
    expect(warnings).toEqual([`! ${title}`]);
    expect(warningAt(lines, title)).toEqual([
      `! ${title}`,
      '    SESSION_STORE=memory with NODE_ENV=production: each instance keeps its own sessions; several instances or a restart sign people out.',
      '    Fix: Set SESSION_STORE to a store that every instance shares and that outlives them: redis://HOST:PORT (rediss:// for TLS), or sqlite:PATH on lasting storage when the instances share one machine.',
    ]);
    expect(code).toBe(0);
  });

  it('when HOST=localhost in a Docker container, which the platform’s health check cannot reach', async () => {
    const { code, lines, warnings } = await doctor({ ...GOOD_PRODUCTION, HOST: 'localhost' }, true);
    const title = 'The platform can reach the app';
    expect(warnings).toEqual([`! ${title}`]);
    expect(warningAt(lines, title)).toEqual([
      `! ${title}`,
      `    HOST=localhost in a container (${dockerEnvFile} exists): the app answers only inside the container, so the platform’s health check cannot reach it.`,
      '    Fix: Set HOST=0.0.0.0: the container’s own network and the platform then decide who reaches it.',
    ]);
    expect(code).toBe(0);
  });

  it('when HOST=127.0.0.1 in a Kubernetes pod', async () => {
    const { code, lines } = await doctor({
      ...GOOD_PRODUCTION,
      HOST: '127.0.0.1',
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
    });
    expect(warningAt(lines, 'The platform can reach the app')[1]).toBe(
      '    HOST=127.0.0.1 in a container (KUBERNETES_SERVICE_HOST is set): the app answers only inside the container, so the platform’s health check cannot reach it.',
    );
    expect(code).toBe(0);
  });

  it('when BASE_URL is http on this machine with NODE_ENV=production, so the cookie is not Secure', async () => {
    const { code, lines, warnings } = await doctor({
      ...GOOD_PRODUCTION,
      BASE_URL: 'http://localhost:5000',
    });
    const title = 'BASE_URL is the public https origin';
    expect(warnings).toEqual([`! ${title}`]);
    expect(warningAt(lines, title)).toEqual([
      `! ${title}`,
      '    BASE_URL is http://localhost:5000 with NODE_ENV=production: behind a TLS proxy the session cookie is not Secure (entra-signin, not __Host-entra-signin), and the redirect URI the app sends is http.',
      '    Fix: Set BASE_URL to the public https origin that people open, the one the proxy serves, such as https://signin.example.com.',
    ]);
    expect(code).toBe(0);
  });

  it('once for each mistake, after the settings check and before the provider checks', async () => {
    const { code, lines, warnings } = await doctor(
      { NODE_ENV: 'production', TRUST_PROXY: 'true', SESSION_STORE: 'memory' },
      true,
    );
    expect(warnings).toEqual([
      '! TRUST_PROXY names the proxy',
      '! Sessions are kept where every instance finds them',
      '! The platform can reach the app',
      '! BASE_URL is the public https origin',
    ]);
    const marks = lines.filter((line) => /^[✔✘!ℹ–] /.test(line));
    expect(marks.slice(0, 6)).toEqual([
      '✔ Settings parse and are consistent',
      ...warnings,
      '✔ The authority’s discovery document is reachable and its issuer matches',
    ]);
    expect(lines.at(-1)).toBe('No problems found, but 4 warnings: see them above.');
    expect(code).toBe(0);
  });
});

describe('npm run doctor does not warn', () => {
  it('for a good production configuration in a container', async () => {
    const { code, lines, warnings } = await doctor(GOOD_PRODUCTION, true);
    expect(warnings).toEqual([]);
    expect(lines).toContain('✔ The settings avoid the common deployment mistakes');
    expect(lines).toContain(
      `    TRUST_PROXY, SESSION_STORE, HOST and BASE_URL fit NODE_ENV=production in a container (${dockerEnvFile} exists).`,
    );
    expect(lines.at(-1)).toBe('No problems found.');
    expect(code).toBe(0);
  });

  it('for HOST=localhost in production outside a container', async () => {
    const { warnings } = await doctor({ ...GOOD_PRODUCTION, HOST: 'localhost' });
    expect(warnings).toEqual([]);
  });

  it('for a development set-up in a container (a dev container, CI): memory, localhost, http', async () => {
    const { code, lines, warnings } = await doctor(
      { SESSION_STORE: 'memory', HOST: 'localhost', BASE_URL: 'http://localhost:5000' },
      true,
    );
    expect(warnings).toEqual([]);
    expect(lines).toContain(
      '    TRUST_PROXY does not trust every client; SESSION_STORE, HOST and BASE_URL are checked with NODE_ENV=production.',
    );
    expect(code).toBe(0);
  });

  it('for TRUST_PROXY naming the proxy, or a loopback keyword', async () => {
    for (const value of ['127.0.0.3', '10.0.0.0/24,10.0.1.5', 'loopback']) {
      const { warnings } = await doctor({ ...GOOD_PRODUCTION, TRUST_PROXY: value });
      expect(warnings, value).toEqual([]);
    }
  });
});
