import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { buildApp, type BuildAppOptions } from '../../src/app/build-app.js';
import { loadConfig, type Config } from '../../src/app/config.js';
import { startDevIdp, type DevIdp } from '../../src/dev-idp/dev-idp.js';
import { startDevIdpForOptions } from '../../src/dev-idp/start-for-options.js';
import { loadTls } from '../../src/app/local-tls.js';
import { findFreePort } from './free-port.js';
import { UserAgent, type Page } from './user-agent.js';

/** The app and the development identity provider, both running on loopback ports. */
export interface TestApp {
  readonly config: Config;
  readonly app: FastifyInstance;
  readonly idp: DevIdp;
  readonly baseUrl: string;
  /** Every log line the app wrote, as text. */
  readonly logs: string[];
  /** A new browser-like client with an empty cookie jar. */
  userAgent(): UserAgent;
  close(): Promise<void>;
}

/** A free TCP port on loopback (the name most tests use). */
export { findFreePort as freePort } from './free-port.js';

/**
 * Starts the real app, configured from `env` the way `npm start` configures it, against the real
 * development identity provider, with sessions in memory unless `env` says otherwise.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  options: Pick<BuildAppOptions, 'now' | 'store' | 'providerFetch'> = {},
): Promise<TestApp> {
  const [appPort, idpPort] = [await findFreePort(), await findFreePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'entra-signin-test-'));
  const config = loadConfig({
    cwd: dataDir,
    env: {
      NODE_ENV: 'test',
      PORT: String(appPort),
      BASE_URL: `http://localhost:${appPort}`,
      DEV_IDP_PORT: String(idpPort),
      SESSION_STORE: 'memory',
      SESSION_SECRET: 'test-session-secret-that-is-long-enough-0123456789',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      ...env,
    },
  });
  const idp = config.devIdp === null ? null : await startDevIdpForOptions(config);
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const tls = await loadTls(config);
  const app = await buildApp(config, {
    ...options,
    logStream: stream,
    ...(tls ? { https: tls } : {}),
  });
  await app.listen({ host: 'localhost', port: config.port });
  return {
    config,
    app,
    // With AUTHORITY set the test runs its own provider; this stands in for the absent one.
    idp: idp ?? {
      issuer: config.oidc.authority,
      port: 0,
      graphUrl: config.api.graphUrl,
      close: () => Promise.resolve(),
    },
    baseUrl: config.baseUrl,
    logs,
    userAgent: () => new UserAgent(),
    close: async () => {
      await app.close();
      await idp?.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs a user agent in through the development identity provider; returns the page it lands on. */
export async function signIn(
  testApp: TestApp,
  agent: UserAgent,
  options: { username?: string; password?: string; returnTo?: string } = {},
) {
  const query =
    options.returnTo === undefined
      ? ''
      : `?post_sign_in_url=${encodeURIComponent(options.returnTo)}`;
  const loginPage = await agent.get(`${testApp.baseUrl}/auth/sign_in${query}`);
  return agent.submitForm(loginPage, {
    username: options.username ?? 'alice@contoso.test',
    password: options.password ?? 'Passw0rd!',
  });
}

/**
 * Signs in and expects the app to refuse because the provider refused the client: a 502
 * AUTH_CLIENT_REJECTED page naming the authentication method, and no session. Returns the page.
 */
export async function expectClientRejected(testApp: TestApp, method: string): Promise<Page> {
  const agent = testApp.userAgent();
  const page = await signIn(testApp, agent);
  expect(page.status).toBe(502);
  expect(page.body).toContain('AUTH_CLIENT_REJECTED');
  expect(page.body).toContain(method);
  expect((await agent.get(`${testApp.baseUrl}/token_details`)).status).toBe(401);
  return page;
}

/** The app configured for an external provider (AUTHORITY), and that provider. */
export interface AppWithProvider {
  readonly t: TestApp;
  readonly idp: DevIdp;
  close(): Promise<void>;
}

/**
 * Starts the development identity provider as if it were any external OpenID provider (client
 * `external-app` registered with `registered`), then the app pointed at it through AUTHORITY,
 * CLIENT_ID and the credentials in `env` (CLIENT_SECRET, or the certificate files).
 */
export async function startAppWithProvider(
  registered: { clientSecret?: string; clientCertificatePem?: string },
  env: Record<string, string>,
): Promise<AppWithProvider> {
  const appPort = await findFreePort();
  const origin = `http://localhost:${appPort}`;
  const idp = await startDevIdp({
    port: 0,
    nodeEnv: 'test',
    tenantId: 'fabrikam',
    clientId: 'external-app',
    clientSecret: registered.clientSecret ?? 'unused',
    ...(registered.clientCertificatePem === undefined
      ? {}
      : { clientCertificatePem: registered.clientCertificatePem }),
    redirectUris: [`${origin}/auth/redirect`],
    postLogoutRedirectUris: [`${origin}/auth/post_sign_out`],
  });
  try {
    const t = await startTestApp({
      PORT: String(appPort),
      BASE_URL: origin,
      AUTHORITY: idp.issuer,
      CLIENT_ID: 'external-app',
      ...env,
    });
    return {
      t,
      idp,
      close: async () => Promise.all([t.close(), idp.close()]).then(() => undefined),
    };
  } catch (error) {
    await idp.close();
    throw error;
  }
}
