import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  fakeTokenIssuer,
  startFakeFederatedEntra,
  type FakeFederatedEntra,
  type FakeTokenIssuer,
} from '../../support/fake-federated-entra.js';
import {
  startFakeManagedIdentityEndpoint,
  type FakeManagedIdentityEndpoint,
} from '../../support/fake-managed-identity-endpoint.js';
import { HostileProvider } from '../../support/hostile-provider.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';

// Issue 14, "Without secrets": the whole sign-in through the real app, with the client
// authenticated by a federated credential at a fake of Entra's token endpoint.
const CLIENT_ID = 'federated-app';
const AUDIENCE = 'api://AzureADTokenExchange';
const SUBJECT = 'system:serviceaccount:web:signin';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function providerWithFederation(
  issuer: FakeTokenIssuer,
  subject: string,
): Promise<{ provider: HostileProvider; entra: FakeFederatedEntra }> {
  // The provider's own secret is for the fake in front of it: the app never has it.
  const provider = await HostileProvider.start({ clientId: CLIENT_ID, clientSecret: randomUUID() });
  closers.push(() => provider.close());
  const entra = await startFakeFederatedEntra(provider, {
    clientId: CLIENT_ID,
    issuers: [issuer],
    credentials: [{ issuer: issuer.issuer, subject, audiences: [AUDIENCE] }],
  });
  closers.push(() => entra.close());
  return { provider, entra };
}

async function app(
  provider: HostileProvider,
  env: Record<string, string>,
  now?: () => number,
): Promise<TestApp> {
  const t = await startTestApp(
    { AUTHORITY: provider.authority, CLIENT_ID, ...env },
    now === undefined ? {} : { now },
  );
  closers.push(() => t.close());
  return t;
}

const signIn = (t: TestApp) => t.userAgent().get(`${t.baseUrl}/auth/sign_in`);

describe('signing in with AKS workload identity’s token file (AZURE_FEDERATED_TOKEN_FILE)', () => {
  async function setUp() {
    const cluster = await fakeTokenIssuer(`https://oidc.prod-aks.azure.com/${randomUUID()}/`);
    const { provider, entra } = await providerWithFederation(cluster, SUBJECT);
    const dir = mkdtempSync(join(tmpdir(), 'entra-signin-token-file-'));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'azure-identity-token');
    writeFileSync(file, await cluster.sign({ sub: SUBJECT, aud: AUDIENCE }));
    const t = await app(provider, { AZURE_FEDERATED_TOKEN_FILE: file });
    return { cluster, entra, file, t };
  }

  it('signs in with no secret, presenting the file’s token as the client assertion', async () => {
    const { entra, t } = await setUp();
    expect(t.config.oidc.clientSecret).toBe('');
    const landed = await signIn(t);
    expect(landed.status).toBe(200);
    expect(landed.body).toContain("You're signed in, Mallory Example!");
    expect(entra.assertions).toHaveLength(1);
  });

  it('presents the rotated token at the next sign-in', async () => {
    const { cluster, entra, file, t } = await setUp();
    expect((await signIn(t)).status).toBe(200);
    const rotated = await cluster.sign({ sub: SUBJECT, aud: AUDIENCE });
    writeFileSync(file, rotated);
    expect((await signIn(t)).status).toBe(200);
    expect(entra.assertions).toHaveLength(2);
    expect(entra.assertions[1]).toBe(rotated);
    expect(entra.assertions[0]).not.toBe(rotated);
  });

  it('explains Entra’s AADSTS700212 on the error page when the audience is not the credential’s', async () => {
    const { cluster, file, t } = await setUp();
    writeFileSync(file, await cluster.sign({ sub: SUBJECT, aud: 'api://another-audience' }));
    const page = await signIn(t);
    expect(page.status).toBe(502);
    expect(page.body).toContain('AUTH_CLIENT_REJECTED');
    expect(page.body).toContain('federated_client_assertion');
    expect(page.body).toContain('AADSTS700212');
    expect(page.body).toContain(
      'No federated credential of the app registration has the audience (aud) of the token the app presented',
    );
    expect(page.body).toContain('issuer, subject and audience must match');
    expect((await t.userAgent().get(`${t.baseUrl}/token_details`)).status).toBe(401);
  });

  it('answers 503 CLIENT_ASSERTION_UNAVAILABLE when the token file is gone, saying why in the log', async () => {
    const { file, t } = await setUp();
    rmSync(file);
    const page = await signIn(t);
    expect(page.status).toBe(503);
    expect(page.body).toContain('CLIENT_ASSERTION_UNAVAILABLE');
    expect(t.logs.join('')).toContain(
      `The federated token file ${file} cannot be read (no such file, ENOENT)`,
    );
  });
});

describe('signing in with a managed identity’s token (MANAGED_IDENTITY_CLIENT_ID)', () => {
  let offset = 0;
  async function setUp(): Promise<{
    endpoint: FakeManagedIdentityEndpoint;
    entra: FakeFederatedEntra;
    t: TestApp;
  }> {
    offset = 0;
    const tenantId = randomUUID();
    const endpoint = await startFakeManagedIdentityEndpoint(tenantId);
    closers.push(() => endpoint.close());
    const { provider, entra } = await providerWithFederation(endpoint.issuer, endpoint.principalId);
    const t = await app(
      provider,
      {
        MANAGED_IDENTITY_CLIENT_ID: endpoint.clientId,
        IDENTITY_ENDPOINT: endpoint.url,
        IDENTITY_HEADER: endpoint.identityHeader,
        PROVIDER_TIMEOUT: '2s',
      },
      () => Date.now() + offset,
    );
    return { endpoint, entra, t };
  }

  it('asks the identity endpoint once, with X-IDENTITY-HEADER, for two sign-ins', async () => {
    const { endpoint, entra, t } = await setUp();
    expect((await signIn(t)).body).toContain("You're signed in, Mallory Example!");
    expect((await signIn(t)).body).toContain("You're signed in, Mallory Example!");
    expect(endpoint.requests).toHaveLength(1);
    const [request] = endpoint.requests;
    expect(request?.headers['x-identity-header']).toBe(endpoint.identityHeader);
    expect(request?.url.searchParams.get('resource')).toBe(AUDIENCE);
    expect(request?.url.searchParams.get('client_id')).toBe(endpoint.clientId);
    expect(entra.assertions).toEqual([endpoint.issued[0], endpoint.issued[0]]);
  });

  it('fetches a new token once the one it holds is about to expire', async () => {
    const { endpoint, entra, t } = await setUp();
    expect((await signIn(t)).status).toBe(200);
    offset = endpoint.lifetimeSeconds * 1000 - 4 * 60_000;
    expect((await signIn(t)).status).toBe(200);
    expect(endpoint.requests).toHaveLength(2);
    expect(entra.assertions).toEqual(endpoint.issued);
  });

  it('answers 503 CLIENT_ASSERTION_UNAVAILABLE when the endpoint is down, the cause in the log', async () => {
    const { endpoint, entra, t } = await setUp();
    endpoint.mode = 'down';
    const page = await signIn(t);
    expect(page.status).toBe(503);
    expect(page.body).toContain('CLIENT_ASSERTION_UNAVAILABLE');
    expect(page.body).toContain(
      'The app cannot prove who it is to the identity provider right now',
    );
    const logs = t.logs.join('');
    expect(logs).toContain(`The managed identity endpoint ${endpoint.url} did not answer (`);
    expect(logs).not.toContain(endpoint.identityHeader);
    expect(entra.assertions).toHaveLength(0);
  });

  it('answers 503 when the endpoint answers with an error, and recovers when it is back', async () => {
    const { endpoint, t } = await setUp();
    endpoint.mode = { status: 500, message: 'The identity service is restarting.' };
    expect((await signIn(t)).status).toBe(503);
    expect(t.logs.join('')).toContain('answered HTTP 500: The identity service is restarting.');
    endpoint.mode = 'up';
    expect((await signIn(t)).status).toBe(200);
    expect(t.logs.join('')).not.toContain(endpoint.issued[0] ?? 'no token was issued');
  });
});
