import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runRegisterCommand } from '../../src/cli/registration/register-command.js';
import { capturedIo } from '../support/captured-io.js';
import { federatedCredentialsOf } from '../support/fake-graph-federated-credentials.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';

// Issue 14, "Without secrets": `npm run register -- --federated …`.
const AKS_ISSUER =
  'https://oidc.prod-aks.azure.com/00000000-0000-4000-8000-000000000001/11111111-2222-4333-8444-555555555555/';
const SUBJECT = 'system:serviceaccount:web:signin';
const PRINCIPAL = 'aaaaaaaa-0000-4111-8222-bbbbbbbbbbbb';
let graph: FakeGraph;
let dir: string;

async function register(args: string[], extraEnv: Record<string, string> = {}) {
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
    sleep: () => Promise.resolve(),
  });
  return { code, output: io.text() };
}

const theApp = () => {
  const [app] = [...graph.applications.values()];
  if (app === undefined) throw new Error('no application was registered');
  return app;
};
const credentials = () => federatedCredentialsOf(theApp());
const envFile = () => parseEnv(readFileSync(join(dir, '.env'), 'utf8'));

beforeEach(async () => {
  graph = await startFakeGraph();
  dir = mkdtempSync(join(tmpdir(), 'entra-signin-register-federated-'));
});
afterEach(async () => {
  await graph.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run register --federated', () => {
  it('adds a federated credential for the issuer and subject, and no secret', async () => {
    const { code, output } = await register(['--federated', `${AKS_ISSUER},${SUBJECT}`]);
    expect(code).toBe(0);
    expect(credentials()).toEqual([
      {
        id: expect.any(String) as unknown,
        name: expect.stringMatching(
          /^entra-signin-system-serviceaccount-web-signin-[0-9a-f]{10}$/,
        ) as unknown,
        issuer: AKS_ISSUER,
        subject: SUBJECT,
        audiences: ['api://AzureADTokenExchange'],
        description: expect.stringContaining('added by npm run register') as unknown,
      },
    ]);
    expect(theApp().passwordCredentials).toEqual([]);
    expect(graph.requests.some((r) => r.path.endsWith('/addPassword'))).toBe(false);
    expect(envFile()).toEqual({ TENANT_ID: graph.tenantId, CLIENT_ID: theApp().appId });
    expect(output).toContain(
      `issuer ${AKS_ISSUER}, subject ${SUBJECT}, audience api://AzureADTokenExchange`,
    );
    expect(output).toContain(`azure.workload.identity/client-id: ${theApp().appId}`);
  });

  it('adds nothing when run again with the same issuer and subject', async () => {
    await register(['--federated', `${AKS_ISSUER},${SUBJECT}`]);
    const before = graph.requests.length;
    const { code, output } = await register(['--federated', `${AKS_ISSUER},${SUBJECT}`]);
    expect(code).toBe(0);
    expect(credentials()).toHaveLength(1);
    const posts = graph.requests
      .slice(before)
      .filter((r) => r.method === 'POST' && r.path.endsWith('/federatedIdentityCredentials'));
    expect(posts).toEqual([]);
    expect(output).toContain('is there already');
  });

  it('adds the second of two subjects of one issuer on a re-run, keeping the first', async () => {
    await register(['--federated', `${AKS_ISSUER},${SUBJECT}`]);
    await register([
      '--federated',
      `${AKS_ISSUER},${SUBJECT}`,
      '--federated',
      `${AKS_ISSUER},system:serviceaccount:web:worker`,
    ]);
    expect(credentials().map((c) => c.subject)).toEqual([
      SUBJECT,
      'system:serviceaccount:web:worker',
    ]);
  });

  it('adds a managed identity’s credential: the tenant’s issuer and its object id', async () => {
    const { code, output } = await register(['--federated-managed-identity', PRINCIPAL]);
    expect(code).toBe(0);
    expect(credentials()).toMatchObject([
      {
        issuer: `https://login.microsoftonline.com/${graph.tenantId}/v2.0`,
        subject: PRINCIPAL,
        audiences: ['api://AzureADTokenExchange'],
      },
    ]);
    expect(output).toContain('MANAGED_IDENTITY_CLIENT_ID');
  });

  it('uses the national cloud’s issuer and audience with its AUTHORITY', async () => {
    const authority = `https://login.microsoftonline.us/${graph.tenantId}/v2.0`;
    const { code } = await register(['--federated-managed-identity', PRINCIPAL], {
      AUTHORITY: authority,
    });
    expect(code).toBe(0);
    expect(credentials()).toMatchObject([
      { issuer: authority, audiences: ['api://AzureADTokenExchangeUSGov'] },
    ]);
  });

  it('keeps a credential of that issuer and subject whose audience is another, and says so', async () => {
    await register(['--federated', `${AKS_ISSUER},${SUBJECT}`]);
    const [held] = credentials();
    if (held === undefined) throw new Error('no credential');
    held.audiences[0] = 'api://custom';
    const { code, output } = await register(['--federated', `${AKS_ISSUER},${SUBJECT}`]);
    expect(code).toBe(0);
    expect(credentials()).toHaveLength(1);
    expect(held.audiences).toEqual(['api://custom']);
    expect(output).toContain('Its audience is api://custom, not api://AzureADTokenExchange');
  });

  it('refuses a flag without a subject or an https issuer, before signing in', async () => {
    for (const value of [AKS_ISSUER, `http://issuer.example,${SUBJECT}`, `,${SUBJECT}`]) {
      const { code, output } = await register(['--federated', value]);
      expect(code).toBe(2);
      expect(output).toContain('--federated takes ISSUER,SUBJECT');
    }
    const { code, output } = await register(['--federated-managed-identity', 'my-identity']);
    expect(code).toBe(2);
    expect(output).toContain('object (principal) id of a user-assigned managed identity');
    expect(graph.requests).toEqual([]);
  });

  it('refuses --certificate with a federated credential', async () => {
    const { code, output } = await register([
      '--certificate',
      '--federated',
      `${AKS_ISSUER},${SUBJECT}`,
    ]);
    expect(code).toBe(2);
    expect(output).toContain('--certificate and --federated');
    expect(graph.requests).toEqual([]);
  });
});
