import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildAppOptions } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { startDevIdp, type DevIdp } from '../../src/dev-idp/dev-idp.js';
import { loadTls } from '../../src/local-tls.js';
import { UserAgent } from './user-agent.js';

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

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the real app, configured from `env` the way `npm start` configures it, against the real
 * development identity provider, with sessions in memory unless `env` says otherwise.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  options: Pick<BuildAppOptions, 'now' | 'store'> = {},
): Promise<TestApp> {
  const [appPort, idpPort] = [await freePort(), await freePort()];
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
  let idp: DevIdp | null = null;
  if (config.devIdp) {
    idp = await startDevIdp({
      port: config.devIdp.port,
      nodeEnv: config.nodeEnv,
      tenantId: config.devIdp.tenantId,
      clientId: config.oidc.clientId,
      clientSecret: config.oidc.clientSecret,
      redirectUris: [config.redirectUri],
      postLogoutRedirectUris: [config.postSignOutRedirectUri],
    });
  }
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
    idp: idp ?? { issuer: config.oidc.authority, port: 0, close: () => Promise.resolve() },
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
