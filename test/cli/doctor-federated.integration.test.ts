import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDoctorCommand } from '../../src/cli/doctor/doctor-command.js';
import { capturedIo } from '../support/captured-io.js';
import {
  fakeTokenIssuer,
  startFakeFederatedEntra,
  type FakeFederatedEntra,
  type FakeTokenIssuer,
} from '../support/fake-federated-entra.js';
import {
  startFakeManagedIdentityEndpoint,
  type FakeManagedIdentityEndpoint,
} from '../support/fake-managed-identity-endpoint.js';
import { HostileProvider } from '../support/hostile-provider.js';

// Issue 14, "Without secrets": npm run doctor with a federated credential.
const CLIENT_ID = 'doctor-federated-app';
const AUDIENCE = 'api://AzureADTokenExchange';
const SUBJECT = 'system:serviceaccount:web:signin';
let dir: string;
let provider: HostileProvider;
let cluster: FakeTokenIssuer;
let endpoint: FakeManagedIdentityEndpoint;
let entra: FakeFederatedEntra;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'entra-signin-doctor-federated-'));
  provider = await HostileProvider.start({ clientId: CLIENT_ID, clientSecret: randomUUID() });
  cluster = await fakeTokenIssuer(`https://oidc.prod-aks.azure.com/${randomUUID()}/`);
  endpoint = await startFakeManagedIdentityEndpoint(randomUUID());
  entra = await startFakeFederatedEntra(provider, {
    clientId: CLIENT_ID,
    issuers: [cluster, endpoint.issuer],
    credentials: [
      { issuer: cluster.issuer, subject: SUBJECT, audiences: [AUDIENCE] },
      { issuer: endpoint.issuer.issuer, subject: endpoint.principalId, audiences: [AUDIENCE] },
    ],
  });
});
afterEach(async () => {
  await Promise.all([entra.close(), endpoint.close(), provider.close()]);
  rmSync(dir, { recursive: true, force: true });
});

async function doctor(env: Record<string, string>) {
  const io = capturedIo();
  const code = await runDoctorCommand([], io, {
    cwd: dir,
    env: {
      AUTHORITY: provider.authority,
      CLIENT_ID,
      BASE_URL: 'http://localhost:5000',
      SESSION_SECRET: 'a-session-secret-of-at-least-32-characters!',
      SESSION_STORE: 'memory',
      DATA_DIR: dir,
      ...env,
    },
  });
  return { code, lines: io.lines, text: io.text() };
}

async function tokenFile(claims: {
  sub?: string;
  aud?: string;
  lifetimeSeconds?: number;
  now?: number;
}) {
  const file = join(dir, 'azure-identity-token');
  const token = await cluster.sign({ sub: SUBJECT, aud: AUDIENCE, ...claims });
  writeFileSync(file, token);
  return { AZURE_FEDERATED_TOKEN_FILE: file, token };
}

const marks = (lines: string[]) => lines.filter((l) => /^[✔✘!ℹ–] /.test(l));

describe('npm run doctor with AZURE_FEDERATED_TOKEN_FILE', () => {
  it('passes: the token can be had and the token endpoint accepts it', async () => {
    const { token, ...env } = await tokenFile({});
    const { code, lines, text } = await doctor(env);
    expect(marks(lines)).toEqual([
      '✔ Settings parse and are consistent',
      '✔ The settings avoid the common deployment mistakes',
      '✔ The authority’s discovery document is reachable and its issuer matches',
      '✔ The client assertion can be obtained',
      '✔ The client credentials work',
      '✔ This machine’s clock agrees with the provider’s',
      'ℹ The redirect URIs the app will send',
      '– The app registration lists the redirect URIs the app sends',
    ]);
    expect(code).toBe(0);
    expect(text).toContain('a federated credential (AZURE_FEDERATED_TOKEN_FILE)');
    expect(text).toContain(
      `gave a token issued by ${cluster.issuer} for the subject ${SUBJECT}, audience ${AUDIENCE}`,
    );
    expect(text).toContain(`npm run register -- --federated ${cluster.issuer},${SUBJECT}`);
    expect(text).toContain('the federated token in AZURE_FEDERATED_TOKEN_FILE');
    expect(text).not.toContain(token);
    expect(entra.assertions).toEqual([token]);
  });

  it('fails on an expired token, and does not send it', async () => {
    const { token: _token, ...env } = await tokenFile({ now: Date.now() - 7_200_000 });
    const { code, text } = await doctor(env);
    expect(code).toBe(1);
    expect(text).toContain('✘ The client assertion can be obtained');
    expect(text).toContain('expired at');
    expect(text).toContain('azure.workload.identity/use');
    expect(text).toContain('– The client credentials work');
    expect(entra.assertions).toEqual([]);
  });

  it('warns of a token for another audience, and explains Entra’s AADSTS700212', async () => {
    const { token: _token, ...env } = await tokenFile({ aud: 'api://another-audience' });
    const { code, text } = await doctor(env);
    expect(code).toBe(1);
    expect(text).toContain('! The client assertion can be obtained');
    expect(text).toContain(`Entra expects the audience ${AUDIENCE} here`);
    expect(text).toContain('✘ The client credentials work');
    expect(text).toContain(
      `AADSTS700212: no federated credential of the registration CLIENT_ID ${CLIENT_ID} matches the audience (aud)`,
    );
    expect(text).toContain('Fix: Compare the federated credential’s issuer, subject and audience');
  });

  it('explains AADSTS700213 when no federated credential names the token’s subject', async () => {
    const { token: _token, ...env } = await tokenFile({ sub: 'system:serviceaccount:web:other' });
    const { code, text } = await doctor(env);
    expect(code).toBe(1);
    expect(text).toContain('✔ The client assertion can be obtained');
    expect(text).toContain(
      `AADSTS700213: no federated credential of the registration CLIENT_ID ${CLIENT_ID} matches the subject (sub)`,
    );
  });
});

describe('npm run doctor with MANAGED_IDENTITY_CLIENT_ID', () => {
  const managed = () => ({
    MANAGED_IDENTITY_CLIENT_ID: endpoint.clientId,
    IDENTITY_ENDPOINT: endpoint.url,
    IDENTITY_HEADER: endpoint.identityHeader,
    PROVIDER_TIMEOUT: '2s',
  });

  it('passes, asking the identity endpoint once, and names the subject to register', async () => {
    const { code, text } = await doctor(managed());
    expect(code).toBe(0);
    expect(text).toContain('✔ The client assertion can be obtained');
    expect(text).toContain('✔ The client credentials work');
    expect(text).toContain(
      `npm run register -- --federated-managed-identity ${endpoint.principalId}`,
    );
    expect(endpoint.requests).toHaveLength(1);
    expect(text).not.toContain(endpoint.identityHeader);
  });

  it('fails when the identity endpoint does not answer', async () => {
    endpoint.mode = 'down';
    const { code, text } = await doctor(managed());
    expect(code).toBe(1);
    expect(text).toContain(`✘ The client assertion can be obtained`);
    expect(text).toContain(`The managed identity endpoint ${endpoint.url} did not answer`);
    expect(text).toContain('– The client credentials work');
  });

  it('fails at the settings when IDENTITY_ENDPOINT is not set', async () => {
    const { IDENTITY_ENDPOINT: _none, ...env } = managed();
    const { code, text } = await doctor(env);
    expect(code).toBe(1);
    expect(text).toContain('✘ Settings parse and are consistent');
    expect(text).toContain('IDENTITY_ENDPOINT is not set');
    expect(endpoint.requests).toEqual([]);
  });
});
