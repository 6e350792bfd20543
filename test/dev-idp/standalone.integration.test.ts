import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEV_CLIENT_ID, DEV_TENANT_ID } from '../../src/core/options.js';
import {
  buildServer,
  signInThrough,
  signOutThrough,
  startAppProcess,
} from '../support/app-process.js';
import { findFreePort } from '../support/free-port.js';
import { UserAgent } from '../support/user-agent.js';
import {
  buildStandalone,
  runStandaloneToExit,
  settingLines,
  startStandalone,
  type StandaloneProcess,
} from './standalone-process.js';

// `npm run dev-idp`: the built standalone entry as a real process, and real app processes
// signing in through it with the settings it printed.

let script: string;
let server: string;
beforeAll(async () => {
  server = await buildServer();
  script = await buildStandalone();
}, 180_000);

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function scratchFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'entra-signin-dev-idp-'));
  cleanups.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
  return dir;
}

async function start(cwd: string, env: Record<string, string>, args: string[] = []) {
  const idp = await startStandalone(script, { cwd, env, args });
  cleanups.push(() => idp.stop());
  return idp;
}

async function signingKeyIds(authority: string): Promise<string[]> {
  const metadata = (await (
    await fetch(`${authority}/.well-known/openid-configuration`)
  ).json()) as { jwks_uri: string };
  const jwks = (await (await fetch(metadata.jwks_uri)).json()) as { keys: { kid: string }[] };
  return jwks.keys.map((key) => key.kid);
}

describe('npm run dev-idp', () => {
  it('prints AUTHORITY, CLIENT_ID and CLIENT_SECRET (and GRAPH_URL, API_SCOPES) ready for .env', async () => {
    const port = await findFreePort();
    const idp = await start(scratchFolder(), { DEV_IDP_PORT: String(port) });
    const authority = `http://127.0.0.1:${port}/${DEV_TENANT_ID}/v2.0`;
    expect(idp.settings).toEqual({
      AUTHORITY: authority,
      CLIENT_ID: DEV_CLIENT_ID,
      CLIENT_SECRET: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) as unknown,
      GRAPH_URL: `http://127.0.0.1:${port}`,
      API_SCOPES: 'User.Read',
    });
    const discovery = await fetch(`${authority}/.well-known/openid-configuration`);
    expect(((await discovery.json()) as { issuer: string }).issuer).toBe(authority);
    // Without BASE_URL, the app's own default origin.
    expect(idp.stdout()).toContain('Redirect URIs: http://localhost:5000/auth/redirect');
  });

  it('keeps its secret and signing key across a restart, and stops with exit code 0 on SIGTERM', async () => {
    const cwd = scratchFolder();
    const env = { DEV_IDP_PORT: String(await findFreePort()) };
    const first = await start(cwd, env);
    const keys = await signingKeyIds(first.settings['AUTHORITY'] ?? '');
    expect(await first.stop('SIGTERM')).toBe(0);

    const second = await start(cwd, env);
    expect(second.settings['CLIENT_SECRET']).toBe(first.settings['CLIENT_SECRET']);
    expect(await signingKeyIds(second.settings['AUTHORITY'] ?? '')).toEqual(keys);
    const secretFile = join(cwd, 'data', 'dev-idp-secret');
    expect(readFileSync(secretFile, 'utf8').trim()).toBe(first.settings['CLIENT_SECRET']);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(cwd, 'data', 'dev-idp-signing-key.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(cwd, 'data')).mode & 0o777).toBe(0o700);
    expect(await second.stop('SIGINT')).toBe(0);
  });

  it('takes DEV_IDP_CLIENT_SECRET instead of generating one', async () => {
    const cwd = scratchFolder();
    const secret = randomBytes(32).toString('base64url');
    const idp = await start(cwd, {
      DEV_IDP_PORT: String(await findFreePort()),
      DEV_IDP_CLIENT_SECRET: secret,
    });
    expect(idp.settings['CLIENT_SECRET']).toBe(secret);
    expect(existsSync(join(cwd, 'data', 'dev-idp-secret'))).toBe(false);
  });

  it('writes the settings to --write-env with mode 0600, keeping the file’s other lines, and prints no secret', async () => {
    const cwd = scratchFolder();
    const envFile = join(cwd, '.env');
    writeFileSync(
      envFile,
      'PORT=5000\nTENANT_ID=11111111-2222-4333-8444-555555555555\nCLIENT_SECRET=old\n',
      { mode: 0o644 },
    );
    const idp = await start(cwd, { DEV_IDP_PORT: String(await findFreePort()) }, [
      '--write-env',
      '.env',
    ]);
    const written = readFileSync(envFile, 'utf8');
    const settings = settingLines(written);
    expect(settings['PORT']).toBe('5000');
    expect(settings['TENANT_ID']).toBeUndefined();
    expect(written).toContain('# TENANT_ID=11111111-2222-4333-8444-555555555555');
    expect(settings['CLIENT_SECRET']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(settings['AUTHORITY']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    expect(idp.stdout()).not.toContain(settings['CLIENT_SECRET']);
  });

  it('registers the redirect URI of every origin BASE_URL lists, and no other', async () => {
    const idp = await start(scratchFolder(), {
      DEV_IDP_PORT: String(await findFreePort()),
      BASE_URL: 'https://localhost:8443, http://localhost:5000',
    });
    const metadata = (await (
      await fetch(`${idp.settings['AUTHORITY']}/.well-known/openid-configuration`)
    ).json()) as { authorization_endpoint: string };
    const authorize = (redirectUri: string) => {
      const url = new URL(metadata.authorization_endpoint);
      url.search = new URLSearchParams({
        client_id: DEV_CLIENT_ID,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: redirectUri,
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      }).toString();
      return new UserAgent().get(url.href);
    };
    for (const registered of [
      'https://localhost:8443/auth/redirect',
      'http://localhost:5000/auth/redirect',
    ]) {
      const page = await authorize(registered);
      expect(page.url, registered).toMatch(/\/interaction\//);
    }
    const refused = await authorize('http://localhost:5999/auth/redirect');
    expect(refused.body).toContain('redirect_uri');
    expect(refused.url).not.toMatch(/\/interaction\//);
  });

  it('refuses a DEV_IDP_HOST that is not a loopback address, saying why', async () => {
    const result = await runStandaloneToExit(script, {
      cwd: scratchFolder(),
      env: { DEV_IDP_HOST: '0.0.0.0' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DEV_IDP_HOST must be a loopback IP address');
  });

  it('listens on another loopback address given as DEV_IDP_HOST', async () => {
    const port = await findFreePort();
    const idp = await start(scratchFolder(), {
      DEV_IDP_PORT: String(port),
      DEV_IDP_HOST: '127.0.0.2',
    });
    expect(idp.settings['AUTHORITY']).toBe(`http://127.0.0.2:${port}/${DEV_TENANT_ID}/v2.0`);
    expect(idp.settings['GRAPH_URL']).toBe(`http://127.0.0.2:${port}`);
    expect((await signingKeyIds(idp.settings['AUTHORITY'] ?? '')).length).toBe(1);
  });
});

describe('an app started with the settings npm run dev-idp printed', () => {
  async function appThroughStandalone(): Promise<{
    idp: StandaloneProcess;
    baseUrl: string;
    cwd: string;
  }> {
    const appPort = await findFreePort();
    const cwd = scratchFolder();
    const idp = await start(cwd, {
      DEV_IDP_PORT: String(await findFreePort()),
      BASE_URL: `http://localhost:${appPort}`,
    });
    const app = await startAppProcess(server, appPort, {
      ...idp.settings,
      SESSION_SECRET: randomBytes(32).toString('base64url'),
      SESSION_STORE: 'memory',
    });
    cleanups.push(() => app.stop());
    return { idp, baseUrl: app.baseUrl, cwd };
  }

  it('signs in through it, shows the claims and the Graph fake’s profile, and signs out', async () => {
    const { baseUrl, idp } = await appThroughStandalone();
    const agent = new UserAgent();
    const landed = await signInThrough(agent, baseUrl);
    expect(landed.url).toBe(`${baseUrl}/`);
    expect(landed.body).toContain("You're signed in, Alice Example!");
    const claims = await agent.get(`${baseUrl}/token_details`);
    expect(claims.status).toBe(200);
    expect(claims.body).toContain(idp.settings['AUTHORITY']);
    // GRAPH_URL and API_SCOPES name the provider's Graph fake: the Profile page works as with npm start.
    const profile = await agent.get(`${baseUrl}/profile`);
    expect(profile.status).toBe(200);
    expect(profile.body).toContain('Product Manager');
    const back = await signOutThrough(agent, baseUrl);
    expect(back.url.split('?')[0]).toBe(`${baseUrl}/auth/post_sign_out`);
    expect((await agent.get(`${baseUrl}/token_details`)).status).toBe(401);
  });

  it('keeps signing people in after the provider restarts', async () => {
    const { baseUrl, idp, cwd } = await appThroughStandalone();
    const agent = new UserAgent();
    expect((await signInThrough(agent, baseUrl)).body).toContain("You're signed in");
    expect(await idp.stop()).toBe(0);
    const port = new URL(idp.settings['AUTHORITY'] ?? '').port;
    const redirect = `${baseUrl}/auth/redirect`;
    await start(cwd, { DEV_IDP_PORT: port }, ['--redirect-uri', redirect]);
    // Another browser: the provider's own sessions were in its memory, the signing key is kept.
    const other = new UserAgent();
    const landed = await signInThrough(other, baseUrl);
    expect(landed.body).toContain("You're signed in, Alice Example!");
  });

  it('passes npm run doctor with the .env it wrote', async () => {
    const appPort = await findFreePort();
    const cwd = scratchFolder();
    writeFileSync(
      join(cwd, '.env'),
      `PORT=${appPort}\nSESSION_SECRET=${randomBytes(32).toString('base64url')}\n`,
    );
    await start(cwd, { DEV_IDP_PORT: String(await findFreePort()), PORT: String(appPort) }, [
      '--write-env',
      '.env',
    ]);
    const doctor = join(dirname(dirname(server)), 'cli', 'doctor.js');
    const { stdout } = await promisify(execFile)(process.execPath, [doctor], {
      cwd,
      env: { PATH: process.env['PATH'] ?? '' },
    });
    expect(stdout).toContain('✔ The client credentials work');
    expect(stdout).toContain('No problems found.');
  });
});
