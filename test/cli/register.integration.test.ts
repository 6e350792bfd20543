import { X509Certificate } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runRegisterCommand } from '../../src/cli/registration/register-command.js';
import { capturedIo } from '../support/captured-io.js';
import { graphFailures, startFakeGraph, type FakeGraph } from '../support/fake-graph.js';

let graph: FakeGraph;
let dir: string;
const envFile = () => join(dir, '.env');
const readEnv = () => parseEnv(readFileSync(envFile(), 'utf8')) as Record<string, string>;
const delays: number[] = [];

// Microsoft Graph's appId, and its delegated User.Read and Mail.Send permission ids
// (https://learn.microsoft.com/graph/permissions-reference).
const GRAPH = '00000003-0000-0000-c000-000000000000';
const USER_READ = {
  resourceAppId: GRAPH,
  resourceAccess: [{ id: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', type: 'Scope' }],
};
const MAIL_SEND = { id: 'e383f46e-2787-4529-855e-0e479a3ffac0', type: 'Scope' };
const patchesOf = (from: number) =>
  graph.requests
    .slice(from)
    .filter((r) => r.method === 'PATCH' && r.path.startsWith('/applications/'));

async function register(args: string[] = [], extraEnv: Record<string, string> = {}) {
  const io = capturedIo();
  const code = await runRegisterCommand(args, io, {
    cwd: dir,
    env: {
      GRAPH_URL: graph.url,
      GRAPH_TOKEN: graph.token,
      BASE_URL: 'http://localhost:5000',
      DATA_DIR: join(dir, 'data'),
      ...extraEnv,
    },
    sleep: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
  });
  return { code, io, output: io.text() };
}

beforeEach(async () => {
  graph = await startFakeGraph();
  dir = mkdtempSync(join(tmpdir(), 'entra-signin-register-'));
  delays.length = 0;
});
afterEach(async () => {
  await graph.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run register', () => {
  it('creates a single-tenant application with both redirect URIs and no implicit grant', async () => {
    const { code } = await register();
    expect(code).toBe(0);
    const created = graph.requests.find((r) => r.method === 'POST' && r.path === '/applications');
    expect(created?.body).toEqual({
      displayName: 'entra-signin',
      signInAudience: 'AzureADMyOrg',
      web: {
        redirectUris: [
          'http://localhost:5000/auth/redirect',
          'http://localhost:5000/auth/post_sign_out',
        ],
        implicitGrantSettings: { enableIdTokenIssuance: false, enableAccessTokenIssuance: false },
      },
      requiredResourceAccess: [USER_READ],
    });
  });

  it('adds a secret valid for 180 days, the service principal and the signed-in user as owner', async () => {
    await register();
    const [app] = [...graph.applications.values()];
    const password = graph.requests.find((r) => r.path.endsWith('/addPassword'));
    const end = (password?.body as { passwordCredential: { endDateTime: string } })
      .passwordCredential.endDateTime;
    expect(Date.parse(end) - Date.now()).toBeGreaterThan(179 * 86_400_000);
    expect(Date.parse(end) - Date.now()).toBeLessThan(181 * 86_400_000);
    expect(graph.servicePrincipals.has(app?.appId ?? '')).toBe(true);
    expect([...(graph.owners.get(app?.id ?? '') ?? [])]).toEqual([graph.me.id]);
    const owner = graph.requests.find((r) => r.path.endsWith('/owners/$ref'));
    expect(owner?.body).toEqual({
      '@odata.id': `${graph.url}/v1.0/directoryObjects/${graph.me.id}`,
    });
  });

  it('writes TENANT_ID, CLIENT_ID and CLIENT_SECRET to .env, keeping the other settings, after a backup', async () => {
    writeFileSync(
      envFile(),
      '# my settings\nPORT=5000\nSESSION_SECRET=keep-me-keep-me-keep-me-keep-me-1\n',
    );
    const { output } = await register();
    const env = readEnv();
    const [app] = [...graph.applications.values()];
    expect(env).toMatchObject({
      PORT: '5000',
      SESSION_SECRET: 'keep-me-keep-me-keep-me-keep-me-1',
      TENANT_ID: graph.tenantId,
      CLIENT_ID: app?.appId,
    });
    expect(env['CLIENT_SECRET']).toMatch(/^.{4}~[0-9a-f]{32}$/);
    expect(readFileSync(envFile(), 'utf8')).toMatch(/^# my settings\n/);
    expect(statSync(envFile()).mode & 0o777).toBe(0o600);
    const backups = readdirSync(dir).filter((f) => f.startsWith('.env.backup-'));
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(dir, backups[0] ?? ''), 'utf8')).not.toContain('CLIENT_ID');
    expect(output).toContain(
      `https://entra.microsoft.com/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/Overview/appId/${app?.appId ?? ''}`,
    );
    expect(output).not.toContain(env['CLIENT_SECRET']);
  });

  it('shows its progress step by step and says which token it used', async () => {
    const { output } = await register();
    expect(output).toContain('Using the token from GRAPH_TOKEN');
    for (const step of [
      'Looking for an application',
      'Creating the application',
      'Adding a client secret',
      'Writing',
      'Creating the service principal',
      'Making admin@contoso.onmicrosoft.com an owner',
    ]) {
      expect(output).toContain(step);
    }
  });

  it('registers for any organisation with --multi-tenant, under the name given', async () => {
    await register(['--multi-tenant', '--name', "Contoso's sign-in"]);
    const [app] = [...graph.applications.values()];
    expect(app?.signInAudience).toBe('AzureADMultipleOrgs');
    expect(app?.displayName).toBe("Contoso's sign-in");
  });

  it('does nothing new when run again: same application, same secret, .env untouched', async () => {
    await register();
    const before = readFileSync(envFile(), 'utf8');
    const posts = graph.requests.length;
    const { code, output } = await register();
    expect(code).toBe(0);
    expect(graph.applications.size).toBe(1);
    expect(graph.requests.slice(posts).filter((r) => r.path.endsWith('/addPassword'))).toEqual([]);
    expect(readFileSync(envFile(), 'utf8')).toBe(before);
    expect(output).toContain('is registered and up to date');
  });

  it('adds a missing redirect URI to an existing application when run again', async () => {
    await register();
    const { code } = await register([], { BASE_URL: 'https://signin.contoso.com' });
    expect(code).toBe(0);
    const [app] = [...graph.applications.values()];
    expect(app?.web.redirectUris).toEqual([
      'http://localhost:5000/auth/redirect',
      'http://localhost:5000/auth/post_sign_out',
      'https://signin.contoso.com/auth/redirect',
      'https://signin.contoso.com/auth/post_sign_out',
    ]);
  });

  it('refuses to replace another registration’s values in .env without --force, and creates nothing', async () => {
    writeFileSync(
      envFile(),
      'TENANT_ID=other-tenant\nCLIENT_ID=other-app\nCLIENT_SECRET=other-secret\n',
    );
    const { code, output } = await register();
    expect(code).toBe(1);
    expect(output).toMatch(
      /already holds TENANT_ID and CLIENT_ID of another registration.*--force/,
    );
    expect(graph.applications.size).toBe(0);
    expect(readEnv()).toEqual({
      TENANT_ID: 'other-tenant',
      CLIENT_ID: 'other-app',
      CLIENT_SECRET: 'other-secret',
    });
  });

  it('replaces them with --force, keeping a backup of the old file', async () => {
    writeFileSync(envFile(), 'CLIENT_ID=other-app\nCLIENT_SECRET=other-secret\n');
    const { code } = await register(['--force']);
    expect(code).toBe(0);
    expect(readEnv()['CLIENT_ID']).toBe([...graph.applications.values()][0]?.appId);
    const backup = readdirSync(dir).find((f) => f.startsWith('.env.backup-')) ?? '';
    expect(readFileSync(join(dir, backup), 'utf8')).toContain('CLIENT_ID=other-app');
  });

  it('uploads only the public certificate with --certificate and writes the key file’s path', async () => {
    const { code } = await register(['--certificate', '--days', '30']);
    expect(code).toBe(0);
    const created = graph.requests.find((r) => r.path === '/applications' && r.method === 'POST');
    const upload = JSON.stringify(created?.body);
    expect(upload).not.toMatch(/PRIVATE KEY/);
    const [credential] = [...graph.applications.values()][0]?.keyCredentials ?? [];
    expect(credential).toMatchObject({ type: 'AsymmetricX509Cert', usage: 'Verify' });
    const certificate = new X509Certificate(Buffer.from(String(credential?.['key']), 'base64'));
    expect(certificate.subject).toBe('CN=entra-signin');
    const env = readEnv();
    expect(env['CLIENT_SECRET']).toBeUndefined();
    expect(graph.requests.some((r) => r.path.endsWith('/addPassword'))).toBe(false);
    expect(statSync(env['CLIENT_KEY_FILE'] ?? '').mode & 0o777).toBe(0o600);
    expect(
      new X509Certificate(readFileSync(env['CLIENT_CERTIFICATE_FILE'] ?? '')).fingerprint,
    ).toBe(certificate.fingerprint);
  });
});

describe('npm run register and the Microsoft Graph User.Read permission', () => {
  it('declares User.Read, and only it, on a new registration', async () => {
    await register();
    const [app] = [...graph.applications.values()];
    expect(app?.requiredResourceAccess).toEqual([USER_READ]);
  });

  it('adds User.Read to an existing registration, keeping its other APIs and Graph permissions', async () => {
    await register();
    const [app] = [...graph.applications.values()];
    const otherApi = {
      resourceAppId: 'c7a2f9a4-5b0e-4f4e-9d55-2f6f1c1d9e01',
      resourceAccess: [
        { id: '3b1e6f0a-8c51-4d0a-a1f7-5d7a3c1e2b44', type: 'Scope' },
        { id: '9f2d4c6e-1a3b-4e5f-8a7b-6c5d4e3f2a10', type: 'Role' },
      ],
    };
    if (app)
      app.requiredResourceAccess = [
        otherApi,
        { resourceAppId: GRAPH, resourceAccess: [MAIL_SEND] },
      ];
    const before = graph.requests.length;
    const { code, output } = await register();
    expect(code).toBe(0);
    expect(app?.requiredResourceAccess).toEqual([
      otherApi,
      { resourceAppId: GRAPH, resourceAccess: [MAIL_SEND, ...USER_READ.resourceAccess] },
    ]);
    // Nothing else was touched: the redirect URIs were already there.
    expect(patchesOf(before).map((r) => Object.keys(r.body as object))).toEqual([
      ['requiredResourceAccess'],
    ]);
    expect(output).toContain('Added the Microsoft Graph User.Read delegated permission');
  });

  it('sends no PATCH when run again on a registration that has User.Read', async () => {
    await register();
    const before = graph.requests.length;
    const { code, output } = await register();
    expect(code).toBe(0);
    expect(patchesOf(before)).toEqual([]);
    expect(output).not.toContain('User.Read delegated permission');
  });

  it('leaves requiredResourceAccess out of the PATCH that adds a redirect URI', async () => {
    await register();
    const before = graph.requests.length;
    await register([], { BASE_URL: 'https://signin.contoso.com' });
    const patches = patchesOf(before);
    expect(patches).toHaveLength(1);
    expect(patches[0]?.body).not.toHaveProperty('requiredResourceAccess');
  });

  it('tells the person how users and administrators consent to User.Read', async () => {
    const { output } = await register();
    const [app] = [...graph.applications.values()];
    expect(output).toMatch(/consent to Microsoft Graph's User\.Read when they first sign in/);
    expect(output).toContain(
      'Enterprise applications → entra-signin → Permissions → Grant admin consent',
    );
    expect(output).toContain(`az ad app permission admin-consent --id ${app?.appId ?? ''}`);
  });
});

describe('npm run register when Microsoft Graph says no', () => {
  it('names the role and permission needed on 403 Authorization_RequestDenied, and leaves .env alone', async () => {
    writeFileSync(envFile(), 'PORT=5000\n');
    graph.failNext('POST', /^\/applications$/, graphFailures.forbidden);
    const { code, io } = await register();
    expect(code).toBe(1);
    expect(io.errors.join('\n')).toMatch(
      /Authorization_RequestDenied: Insufficient privileges to complete the operation\..*Application Developer role.*Application\.ReadWrite\.All/,
    );
    expect(readFileSync(envFile(), 'utf8')).toBe('PORT=5000\n');
  });

  it('waits as long as Retry-After says when throttled with 429, then carries on', async () => {
    graph.failNext('POST', /^\/applications$/, graphFailures.throttled('7'), 2);
    const { code, output } = await register();
    expect(code).toBe(0);
    expect(delays).toEqual([7000, 7000]);
    expect(output).toContain('trying again in 7 s');
    expect(graph.applications.size).toBe(1);
  });

  it('gives up with a clear message when throttling does not stop', async () => {
    graph.failNext('GET', /^\/applications/, graphFailures.throttled('1'), 100);
    const { code, io } = await register();
    expect(code).toBe(1);
    expect(delays).toHaveLength(5);
    expect(io.errors.join('\n')).toMatch(
      /still busy or throttling \(HTTP 429\) after 5 retries.*run the command again/,
    );
  });

  it('says Graph cannot be reached when nothing answers at GRAPH_URL', async () => {
    await graph.close();
    const { code, io } = await register();
    expect(code).toBe(1);
    expect(io.errors.join('\n')).toMatch(
      /Could not reach Microsoft Graph at http:\/\/127\.0\.0\.1:\d+: the connection was refused/,
    );
    expect(existsSync(envFile())).toBe(false);
  });

  it('refuses an http GRAPH_URL that is not on this machine, before sending the token anywhere', async () => {
    const { code, io } = await register([], { GRAPH_URL: 'http://graph.example.com' });
    expect(code).toBe(1);
    expect(io.errors.join('\n')).toContain('GRAPH_URL must be Microsoft Graph');
    expect(graph.requests).toEqual([]);
  });
});
