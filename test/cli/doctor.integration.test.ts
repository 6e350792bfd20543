import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDevIdp, type DevIdp } from '../../src/dev-idp/dev-idp.js';
import { runDoctorCommand } from '../../src/cli/doctor/doctor-command.js';
import type { DoctorOptions } from '../../src/cli/doctor/run-doctor.js';
import { capturedIo } from '../support/captured-io.js';
import { applicationBody } from '../support/fake-graph-shapes.js';
import { graphFailures, startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { fakeMicrosoftHostsFetch, HostileProvider } from '../support/hostile-provider.js';
import { freePort } from '../support/test-app.js';

const CLIENT_ID = 'doctor-app';
const CLIENT_SECRET = 'doctor-secret';
const BASE_URL = 'http://localhost:5000';
let idp: DevIdp;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'entra-signin-doctor-'));
  idp = await startDevIdp({
    port: 0,
    nodeEnv: 'test',
    tenantId: 'c0ffee00-0000-4000-8000-000000000001',
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [`${BASE_URL}/auth/redirect`],
    postLogoutRedirectUris: [`${BASE_URL}/auth/post_sign_out`],
  });
});
afterAll(async () => {
  await idp.close();
  rmSync(dir, { recursive: true, force: true });
});

async function doctor(
  env: Record<string, string>,
  options: Pick<DoctorOptions, 'now' | 'providerFetch'> = {},
) {
  const io = capturedIo();
  const code = await runDoctorCommand([], io, {
    cwd: dir,
    env: {
      AUTHORITY: idp.issuer,
      CLIENT_ID,
      CLIENT_SECRET,
      BASE_URL,
      SESSION_SECRET: 'a-session-secret-of-at-least-32-characters!',
      SESSION_STORE: 'memory',
      DATA_DIR: dir,
      ...env,
    },
    ...options,
  });
  return { code, lines: io.lines, text: io.text() };
}

/**
 * A fake route to the provider whose discovery document lists other grants than it does: the
 * token endpoint behind it is the real provider's, as before.
 */
function fakeGrantTypesSupported(grants: string[]): NonNullable<DoctorOptions['providerFetch']> {
  return async (url, init) => {
    const response = await fetch(url, init);
    if (!url.endsWith('/.well-known/openid-configuration')) return response;
    const document = (await response.json()) as Record<string, unknown>;
    return Response.json(
      { ...document, grant_types_supported: grants },
      { status: response.status, headers: { date: response.headers.get('date') ?? '' } },
    );
  };
}

const marks = (lines: string[]) => lines.filter((l) => /^[✔✘!ℹ–] /.test(l));

describe('npm run doctor against the development identity provider', () => {
  it('passes every check with working settings, in order', async () => {
    const { code, lines } = await doctor({});
    expect(marks(lines)).toEqual([
      '✔ Settings parse and are consistent',
      '✔ The settings avoid the common deployment mistakes',
      '✔ The authority’s discovery document is reachable and its issuer matches',
      '✔ The client credentials work',
      '✔ This machine’s clock agrees with the provider’s',
      'ℹ The redirect URIs the app will send',
      '– The app registration lists the redirect URIs the app sends',
    ]);
    expect(lines).toContain(
      `    ${BASE_URL}/auth/redirect (sign-in) and ${BASE_URL}/auth/post_sign_out (after sign-out): the registration must list both, character for character.`,
    );
    expect(code).toBe(0);
  });

  it('says the client credentials are refused when the secret is wrong', async () => {
    const { code, text } = await doctor({ CLIENT_SECRET: 'not-the-secret' });
    expect(code).toBe(1);
    expect(text).toContain('✘ The client credentials work');
    expect(text).toContain('The token endpoint refused the client’s credentials (invalid_client)');
    expect(text).not.toContain('not-the-secret');
  });

  it('names the issuer to set when AUTHORITY is not exactly the issuer', async () => {
    const authority = idp.issuer.replace('127.0.0.1', 'localhost');
    const { code, text } = await doctor({ AUTHORITY: authority });
    expect(code).toBe(1);
    expect(text).toContain(`names the issuer ${idp.issuer}, not AUTHORITY ${authority}`);
    expect(text).toContain(`Fix: Set AUTHORITY=${idp.issuer} exactly`);
    expect(text).toContain('– The client credentials work');
  });

  it('says the provider cannot be reached when nothing listens at AUTHORITY', async () => {
    const port = await freePort();
    const { code, text } = await doctor({ AUTHORITY: `http://127.0.0.1:${port}/contoso/v2.0` });
    expect(code).toBe(1);
    expect(text).toContain('cannot be reached: the connection was refused');
  });

  it('catches a clock ten minutes fast', async () => {
    const { code, text } = await doctor({}, { now: () => Date.now() + 600_000 });
    expect(code).toBe(1);
    expect(text).toMatch(/clock is (599|600|601) s ahead of the provider’s/);
    expect(text).toContain('Fix: Synchronise the clock');
  });

  it('lists every settings problem and runs no further check', async () => {
    const { code, lines } = await doctor({ BASE_URL: 'localhost:5000/app', CLIENT_SECRET: '' });
    expect(code).toBe(1);
    expect(marks(lines)).toEqual(['✘ Settings parse and are consistent']);
    expect(lines.join('\n')).toContain('BASE_URL must');
    expect(lines.join('\n')).toContain(
      'CLIENT_SECRET (or CLIENT_CERTIFICATE_FILE with CLIENT_KEY_FILE) is required',
    );
  });

  it('skips the provider checks when no tenant is configured (the development provider)', async () => {
    const { code, lines } = await doctor({ AUTHORITY: '', CLIENT_ID: '', CLIENT_SECRET: '' });
    expect(code).toBe(0);
    expect(lines.join('\n')).toContain(
      'the app will use the built-in development identity provider',
    );
    expect(marks(lines).filter((l) => l.startsWith('–'))).toHaveLength(4);
  });
});

describe('npm run doctor against a provider that does not offer client_credentials', () => {
  const withoutClientCredentials = fakeGrantTypesSupported(['authorization_code', 'refresh_token']);

  it('passes the right secret, proved by a code exchange with a made-up code', async () => {
    const { code, text } = await doctor({}, { providerFetch: withoutClientCredentials });
    expect(text).toContain('✔ The client credentials work');
    expect(text).toContain('it refused only the made-up code of a test code exchange');
    expect(code).toBe(0);
  });

  // Regression: the check was skipped, and the doctor said "No problems found" with a wrong secret.
  it('catches a wrong secret instead of reporting no problems', async () => {
    const { code, text } = await doctor(
      { CLIENT_SECRET: 'not-the-secret' },
      { providerFetch: withoutClientCredentials },
    );
    expect(text).toContain('✘ The client credentials work');
    expect(text).toContain('The token endpoint refused the client’s credentials (invalid_client)');
    expect(text).not.toContain('No problems found');
    expect(text).not.toContain('not-the-secret');
    expect(code).toBe(1);
  });

  it('warns that the credentials were not checked when neither grant is offered', async () => {
    const { code, text } = await doctor(
      { CLIENT_SECRET: 'not-the-secret' },
      { providerFetch: fakeGrantTypesSupported(['refresh_token']) },
    );
    expect(text).toContain('! The client credentials work');
    expect(text).toContain(
      'CLIENT_ID and the credential were not checked (the client_credentials grant is not offered, and the authorization_code grant is not offered)',
    );
    expect(text).not.toContain('No problems found.');
    expect(text).toContain('No problems found, but 1 warning: see it above.');
    expect(code).toBe(0);
  });
});

describe('npm run doctor with an Entra tenant given by domain name', () => {
  const cloud = 'https://login.microsoftonline.com';
  const tenantGuid = '11111111-1111-4111-8111-111111111111';
  let provider: HostileProvider;
  afterEach(() => provider.close());

  async function doctorAtEntra(issuer: string) {
    provider = await HostileProvider.start({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      publicOrigin: cloud,
      tenant: 'contoso.onmicrosoft.com',
      issuer,
    });
    // This provider has no client_credentials grant, and says so.
    provider.bends.discovery = (document) => ({
      ...document,
      grant_types_supported: ['authorization_code'],
    });
    return doctor(
      { AUTHORITY: '', TENANT_ID: 'contoso.onmicrosoft.com' },
      { providerFetch: fakeMicrosoftHostsFetch(provider) },
    );
  }

  // Regression: the doctor compared the issuer itself and failed a tenant the app accepts.
  it('passes the tenant’s GUID issuer, as sign-in does', async () => {
    const { code, text } = await doctorAtEntra(`${cloud}/${tenantGuid}/v2.0`);
    expect(text).toContain(
      '✔ The authority’s discovery document is reachable and its issuer matches',
    );
    expect(code).toBe(0);
  });

  it('still fails an issuer on another host', async () => {
    const { code, text } = await doctorAtEntra(`https://login.example.com/${tenantGuid}/v2.0`);
    expect(text).toContain(
      '✘ The authority’s discovery document is reachable and its issuer matches',
    );
    expect(text).toContain(
      `names the issuer https://login.example.com/${tenantGuid}/v2.0, not AUTHORITY ${cloud}/contoso.onmicrosoft.com/v2.0`,
    );
    expect(code).toBe(1);
  });
});

describe('npm run doctor with GRAPH_TOKEN, against the Graph fake', () => {
  let graph: FakeGraph;
  beforeAll(async () => {
    graph = await startFakeGraph();
  });
  afterAll(() => graph.close());

  const register = (redirectUris: string[]) => {
    graph.applications.clear();
    const app = {
      ...applicationBody({ displayName: 'entra-signin', web: { redirectUris } }),
      appId: CLIENT_ID,
    };
    graph.applications.set(app.id, app);
  };
  const withGraph = () => doctor({ GRAPH_URL: graph.url, GRAPH_TOKEN: graph.token });

  it('passes when the registration lists both redirect URIs', async () => {
    register([`${BASE_URL}/auth/redirect`, `${BASE_URL}/auth/post_sign_out`]);
    const { code, text } = await withGraph();
    expect(text).toContain('✔ The app registration lists the redirect URIs the app sends');
    expect(code).toBe(0);
  });

  it('catches the AADSTS50011 mismatch before the first sign-in', async () => {
    register(['http://127.0.0.1:5000/auth/redirect', `${BASE_URL}/auth/post_sign_out`]);
    const { code, text } = await withGraph();
    expect(code).toBe(1);
    expect(text).toContain(
      `The registration’s redirect URIs (http://127.0.0.1:5000/auth/redirect, ${BASE_URL}/auth/post_sign_out) lack ${BASE_URL}/auth/redirect: sign-in will fail with AADSTS50011.`,
    );
  });

  it('says when no registration has CLIENT_ID', async () => {
    graph.applications.clear();
    const { code, text } = await withGraph();
    expect(code).toBe(1);
    expect(text).toContain(`Microsoft Graph has no application with CLIENT_ID ${CLIENT_ID}`);
  });

  it('explains a 403 from Graph', async () => {
    graph.failNext('GET', /^\/applications/, graphFailures.forbidden);
    const { code, text } = await withGraph();
    expect(code).toBe(1);
    expect(text).toContain('Authorization_RequestDenied: Insufficient privileges');
  });
});
