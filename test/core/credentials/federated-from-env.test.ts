import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveFromEnv } from '../../../src/core/from-env.js';
import { resolveOptions } from '../../../src/core/options.js';

// Issue 14, "Without secrets": the variables of a federated credential.
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const APP = '11111111-2222-3333-4444-555555555555';
const IDENTITY = '99999999-8888-4777-8666-555555555555';
const base = { SESSION_SECRET: 'a-session-secret-of-at-least-32-characters!' };

function tokenFileDir(): { cwd: string; file: string } {
  const cwd = mkdtempSync(join(tmpdir(), 'entra-signin-federated-env-'));
  const file = join(cwd, 'azure-identity-token');
  writeFileSync(file, 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln\n');
  return { cwd, file };
}

const resolve = (env: Record<string, string>, cwd = tokenFileDir().cwd) =>
  resolveFromEnv({ ...base, ...env }, { cwd });

function problemsOf(env: Record<string, string>, cwd?: string): string {
  try {
    resolve(env, cwd);
  } catch (error) {
    expect((error as { code?: unknown }).code).toBe('CONFIG_INVALID');
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('AZURE_FEDERATED_TOKEN_FILE (AKS workload identity)', () => {
  const aks = (file: string) => ({
    AZURE_FEDERATED_TOKEN_FILE: file,
    AZURE_CLIENT_ID: APP,
    AZURE_TENANT_ID: TENANT,
    AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.com/',
  });

  it('signs in with the token file and the webhook’s AZURE_* variables alone, no secret', () => {
    const { cwd, file } = tokenFileDir();
    const { oidc } = resolve(aks(file), cwd);
    expect(oidc.clientAssertion).toEqual({ kind: 'file', path: file });
    expect(oidc.clientId).toBe(APP);
    expect(oidc.authority).toBe(`https://login.microsoftonline.com/${TENANT}/v2.0`);
    expect(oidc.clientSecret).toBe('');
    expect(oidc.clientCertificate).toBeNull();
  });

  it('resolves a relative path against the working folder', () => {
    const { cwd, file } = tokenFileDir();
    const { oidc } = resolve(
      { ...aks(file), AZURE_FEDERATED_TOKEN_FILE: 'azure-identity-token' },
      cwd,
    );
    expect(oidc.clientAssertion).toEqual({ kind: 'file', path: file });
  });

  it('lets CLIENT_ID, TENANT_ID and AUTHORITY win over the AZURE_* variables', () => {
    const { cwd, file } = tokenFileDir();
    const other = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
    const { oidc } = resolve(
      {
        ...aks(file),
        CLIENT_ID: other,
        TENANT_ID: other,
        AUTHORITY: `https://login.microsoftonline.us/${other}/v2.0`,
      },
      cwd,
    );
    expect(oidc.clientId).toBe(other);
    expect(oidc.authority).toBe(`https://login.microsoftonline.us/${other}/v2.0`);
  });

  it('builds the authority from AZURE_AUTHORITY_HOST and TENANT_ID', () => {
    const { cwd, file } = tokenFileDir();
    const { oidc } = resolve(
      {
        ...aks(file),
        TENANT_ID: TENANT,
        AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.us/',
      },
      cwd,
    );
    expect(oidc.authority).toBe(`https://login.microsoftonline.us/${TENANT}/v2.0`);
  });

  it('ignores AZURE_CLIENT_ID and AZURE_TENANT_ID without the token file', () => {
    // Elsewhere AZURE_CLIENT_ID (the Azure SDKs' convention) may name a managed identity.
    expect(problemsOf({ AZURE_CLIENT_ID: APP, TENANT_ID: TENANT, CLIENT_SECRET: 's' })).toContain(
      'CLIENT_ID is required',
    );
    const { devIdp, oidc } = resolve({ AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: APP });
    expect(devIdp).not.toBeNull();
    expect(oidc.clientAssertion).toBeNull();
  });

  it('refuses CLIENT_SECRET next to the token file, naming both', () => {
    const { cwd, file } = tokenFileDir();
    const message = problemsOf({ ...aks(file), CLIENT_SECRET: 'a-secret' }, cwd);
    expect(message).toContain(
      'AZURE_FEDERATED_TOKEN_FILE and CLIENT_SECRET are two credentials for one client',
    );
    expect(message).not.toContain('a-secret');
  });

  it('refuses a certificate next to the token file, naming both', () => {
    const { cwd, file } = tokenFileDir();
    // The certificate check itself fails too (these are no PEM files); the conflict is named.
    writeFileSync(join(cwd, 'cert.pem'), 'not a certificate');
    const message = problemsOf(
      { ...aks(file), CLIENT_CERTIFICATE_FILE: 'cert.pem', CLIENT_KEY_FILE: 'cert.pem' },
      cwd,
    );
    expect(message).toContain(
      'AZURE_FEDERATED_TOKEN_FILE and CLIENT_CERTIFICATE_FILE with CLIENT_KEY_FILE are two credentials',
    );
  });

  it('refuses a token file that is not there, at start-up', () => {
    const message = problemsOf({
      ...aks('/nonexistent/token'),
      AZURE_FEDERATED_TOKEN_FILE: '/nonexistent/token',
    });
    expect(message).toContain(
      'AZURE_FEDERATED_TOKEN_FILE (/nonexistent/token) must be a readable file',
    );
  });

  it('refuses an AZURE_AUTHORITY_HOST that is no https origin', () => {
    const { cwd, file } = tokenFileDir();
    const message = problemsOf(
      { ...aks(file), AZURE_AUTHORITY_HOST: 'login.microsoftonline.com' },
      cwd,
    );
    expect(message).toContain('AZURE_AUTHORITY_HOST must be the https origin');
  });

  it('refuses the token file and a managed identity together', () => {
    const { cwd, file } = tokenFileDir();
    const message = problemsOf({ ...aks(file), MANAGED_IDENTITY_CLIENT_ID: IDENTITY }, cwd);
    expect(message).toContain(
      'AZURE_FEDERATED_TOKEN_FILE and MANAGED_IDENTITY_CLIENT_ID are two sources of the client assertion',
    );
  });
});

describe('MANAGED_IDENTITY_CLIENT_ID (a managed identity as the federated credential)', () => {
  const appService = {
    TENANT_ID: TENANT,
    CLIENT_ID: APP,
    MANAGED_IDENTITY_CLIENT_ID: IDENTITY,
    IDENTITY_ENDPOINT: 'http://localhost:8081/msi/token',
    IDENTITY_HEADER: 'platform-header-value',
  };

  it('asks the platform’s identity endpoint for the global token exchange audience', () => {
    const { oidc } = resolve(appService);
    expect(oidc.clientAssertion).toEqual({
      kind: 'managed-identity',
      endpoint: 'http://localhost:8081/msi/token',
      identityHeader: 'platform-header-value',
      clientId: IDENTITY,
      audience: 'api://AzureADTokenExchange',
    });
  });

  it('asks for the national cloud’s audience with its authority', () => {
    const { oidc } = resolve({
      ...appService,
      AUTHORITY: `https://login.microsoftonline.us/${TENANT}/v2.0`,
    });
    expect(oidc.clientAssertion).toMatchObject({ audience: 'api://AzureADTokenExchangeUSGov' });
  });

  it('says IDENTITY_ENDPOINT is missing, and that the metadata service is never asked instead', () => {
    const { IDENTITY_ENDPOINT: _none, ...rest } = appService;
    const message = problemsOf(rest);
    expect(message).toContain(
      'MANAGED_IDENTITY_CLIENT_ID needs IDENTITY_ENDPOINT and IDENTITY_HEADER',
    );
    expect(message).toContain('IDENTITY_ENDPOINT is not set');
    expect(message).toContain('never asks the instance metadata service (169.254.169.254)');
  });

  it('refuses a MANAGED_IDENTITY_CLIENT_ID that is no client id (system-assigned is not accepted)', () => {
    const message = problemsOf({ ...appService, MANAGED_IDENTITY_CLIENT_ID: 'system' });
    expect(message).toContain(
      'MANAGED_IDENTITY_CLIENT_ID must be the client id (a GUID) of a user-assigned managed identity',
    );
  });

  it('refuses an IDENTITY_ENDPOINT that is no http(s) URL', () => {
    const message = problemsOf({ ...appService, IDENTITY_ENDPOINT: 'file:///etc/passwd' });
    expect(message).toContain('IDENTITY_ENDPOINT must be the http(s) URL');
  });

  it('refuses CLIENT_SECRET next to the managed identity, naming both', () => {
    const message = problemsOf({ ...appService, CLIENT_SECRET: 'a-secret' });
    expect(message).toContain(
      'MANAGED_IDENTITY_CLIENT_ID and CLIENT_SECRET are two credentials for one client',
    );
    expect(message).not.toContain('platform-header-value');
  });
});

describe('clientAssertion in code', () => {
  const options = {
    baseUrl: 'http://localhost:5000',
    tenantId: TENANT,
    clientId: APP,
    session: { secrets: base.SESSION_SECRET },
  };

  it('takes a function that resolves to the token', () => {
    const get = () => Promise.resolve('a.b.c');
    const { oidc } = resolveOptions({ ...options, clientAssertion: get });
    expect(oidc.clientAssertion).toEqual({ kind: 'callback', get });
  });

  it('names the options in code when a secret is given too', () => {
    expect(() =>
      resolveOptions({
        ...options,
        clientSecret: 'a-secret',
        clientAssertion: { kind: 'file', path: '/var/run/token' },
      }),
    ).toThrow('clientAssertion.path and clientSecret are two credentials for one client');
  });

  it('refuses a federated credential with the development provider', () => {
    expect(() =>
      resolveOptions({
        baseUrl: 'http://localhost:5000',
        session: { secrets: base.SESSION_SECRET },
        developmentProvider: { port: 5001 },
        clientAssertion: { kind: 'file', path: '/var/run/token' },
      }),
    ).toThrow(/clientAssertion.path needs tenantId \(or authority\) and clientId/);
  });

  it('says what the option takes when it is neither', () => {
    expect(() =>
      resolveOptions({ ...options, clientAssertion: { kind: 'imds' } as never }),
    ).toThrow(/clientAssertion is invalid: it must be a function/);
  });
});
