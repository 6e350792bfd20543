import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DEV_TENANT_ID, loadConfig } from '../../src/app/config.js';
import { handedDownEnv } from '../../src/app/primary-process.js';
import { createClientCertificate } from '../../src/cli/registration/certificate.js';

const secret = 'a-session-secret-of-at-least-32-characters!';
const tenant = {
  TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  CLIENT_ID: '11111111-2222-3333-4444-555555555555',
  CLIENT_SECRET: 'client-secret-value',
  SESSION_SECRET: secret,
};
const fresh = () => mkdtempSync(join(tmpdir(), 'entra-signin-config-'));
const load = (env: Record<string, string>) => loadConfig({ env, cwd: fresh() });

describe('loadConfig', () => {
  it('runs against the development provider when no tenant is configured', () => {
    const config = load({});
    expect(config.devIdp?.port).toBe(5001);
    expect(config.oidc.authority).toBe(`http://127.0.0.1:5001/${DEV_TENANT_ID}/v2.0`);
    expect(config.port).toBe(5000);
    expect(config.baseUrl).toBe('http://localhost:5000');
    expect(config.redirectUri).toBe('http://localhost:5000/auth/redirect');
    expect(config.session.store).toMatch(/^sqlite:\/.*data\/sessions\.db$/);
    expect(config.session.idleTimeoutMs).toBe(3_600_000);
    expect(config.session.absoluteTimeoutMs).toBe(43_200_000);
  });

  it('derives the Entra authority from TENANT_ID', () => {
    const config = load(tenant);
    expect(config.devIdp).toBeNull();
    expect(config.oidc.authority).toBe(
      `https://login.microsoftonline.com/${tenant.TENANT_ID}/v2.0`,
    );
    expect(config.oidc.clientId).toBe(tenant.CLIENT_ID);
  });

  it('is frozen', () => {
    const config = load(tenant);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.session)).toBe(true);
  });

  it('refuses the development provider in production', () => {
    expect(() => load({ NODE_ENV: 'production', SESSION_SECRET: secret })).toThrow(
      /refuses the development identity provider/,
    );
  });

  it('requires SESSION_SECRET in production', () => {
    const { SESSION_SECRET: _omit, ...rest } = tenant;
    expect(() => load({ ...rest, NODE_ENV: 'production' })).toThrow(/SESSION_SECRET is required/);
  });

  it('accepts a loopback BASE_URL over http in production', () => {
    const config = load({ ...tenant, NODE_ENV: 'production', BASE_URL: 'http://localhost:5000' });
    expect(config.baseUrl).toBe('http://localhost:5000');
  });

  it('refuses a short SESSION_SECRET and says how to make one', () => {
    expect(() => load({ ...tenant, SESSION_SECRET: 'short' })).toThrow(
      /at least 32 characters.*randomBytes/s,
    );
  });

  it('generates a development session secret once and keeps it', () => {
    const cwd = fresh();
    const first = loadConfig({ env: {}, cwd });
    const second = loadConfig({ env: {}, cwd });
    expect(first.session.secrets[0]).toHaveLength(43);
    expect(second.session.secrets).toEqual(first.session.secrets);
    expect(readFileSync(join(cwd, 'data', 'session-secret'), 'utf8').trim()).toBe(
      first.session.secrets[0],
    );
  });

  it('accepts plain http for a loopback AUTHORITY only', () => {
    expect(load({ ...tenant, AUTHORITY: 'http://127.0.0.1:9000/tenant/v2.0' }).oidc.authority).toBe(
      'http://127.0.0.1:9000/tenant/v2.0',
    );
    expect(() => load({ ...tenant, AUTHORITY: 'http://idp.example/tenant/v2.0' })).toThrow(
      /AUTHORITY must use https/,
    );
  });

  it('names each missing setting of a real tenant', () => {
    let message = '';
    try {
      load({ TENANT_ID: 'contoso.onmicrosoft.com' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/CLIENT_ID is required/);
    expect(message).toMatch(
      /CLIENT_SECRET \(or CLIENT_CERTIFICATE_FILE with CLIENT_KEY_FILE\) is required/,
    );
  });

  it('refuses a BASE_URL with a path, and says what it got', () => {
    expect(() => load({ BASE_URL: 'https://app.example/sub' })).toThrow(
      /without a path.*app\.example\/sub/,
    );
    expect(() => load({ BASE_URL: 'app.example' })).toThrow(/BASE_URL must be an absolute URL/);
  });

  it('reads durations with units', () => {
    const config = load({
      SESSION_IDLE_TIMEOUT: '15m',
      SESSION_ABSOLUTE_TIMEOUT: '1d',
      SIGN_IN_TIMEOUT: '90',
    });
    expect(config.session.idleTimeoutMs).toBe(900_000);
    expect(config.session.absoluteTimeoutMs).toBe(86_400_000);
    expect(config.session.signInTimeoutMs).toBe(90_000);
    expect(() => load({ SESSION_IDLE_TIMEOUT: 'soon' })).toThrow(
      /SESSION_IDLE_TIMEOUT must be a duration/,
    );
  });

  it('uses a Secure __Host- cookie when BASE_URL is https', () => {
    const config = load({ BASE_URL: 'https://app.example' });
    expect(config.session.secureCookie).toBe(true);
    expect(config.session.cookieName).toBe('__Host-entra-signin');
    expect(load({}).session.secureCookie).toBe(false);
  });

  it('reads .env, with the environment winning', () => {
    const cwd = fresh();
    writeFileSync(join(cwd, '.env'), 'PORT=6000\nSESSION_STORE=memory\n');
    const config = loadConfig({ cwd, env: { PORT: '7000' } });
    expect(config.session.store).toBe('memory');
    expect(config.port).toBe(7000);
  });

  it('refuses an unknown SESSION_STORE', () => {
    expect(() => load({ SESSION_STORE: 'postgres://x' })).toThrow(/SESSION_STORE must be/);
  });
});

describe('client credentials', () => {
  const { CLIENT_SECRET: _secret, ...withoutSecret } = tenant;

  it('accepts a certificate and its key instead of a secret', async () => {
    const cwd = fresh();
    const cert = await createClientCertificate({ dir: cwd, name: 'app', days: 1, now: new Date() });
    const config = loadConfig({
      cwd,
      env: {
        ...withoutSecret,
        CLIENT_CERTIFICATE_FILE: cert.certFile,
        CLIENT_KEY_FILE: cert.keyFile,
      },
    });
    expect(config.oidc.clientSecret).toBe('');
    expect(config.oidc.clientCertificate?.certificatePem).toContain('BEGIN CERTIFICATE');
    expect(config.oidc.clientCertificate?.privateKeyPem).toContain('BEGIN PRIVATE KEY');
  });

  it('refuses a key that is not the certificate’s, and files that are not PEM', async () => {
    const cwd = fresh();
    const one = await createClientCertificate({
      dir: join(cwd, 'a'),
      name: 'one',
      days: 1,
      now: new Date(),
    });
    const two = await createClientCertificate({
      dir: join(cwd, 'b'),
      name: 'two',
      days: 1,
      now: new Date(),
    });
    expect(() =>
      load({
        ...withoutSecret,
        CLIENT_CERTIFICATE_FILE: one.certFile,
        CLIENT_KEY_FILE: two.keyFile,
      }),
    ).toThrow(/must be the RSA private key of the certificate/);
    writeFileSync(join(cwd, 'cert.pem'), 'CERT');
    expect(() =>
      loadConfig({
        cwd,
        env: {
          ...withoutSecret,
          CLIENT_CERTIFICATE_FILE: 'cert.pem',
          CLIENT_KEY_FILE: one.keyFile,
        },
      }),
    ).toThrow(/must hold a PEM certificate/);
  });

  it('wants both certificate files, readable', () => {
    expect(() => load({ ...withoutSecret, CLIENT_CERTIFICATE_FILE: 'cert.pem' })).toThrow(
      /go together/,
    );
    expect(() =>
      load({
        ...withoutSecret,
        CLIENT_CERTIFICATE_FILE: 'missing.pem',
        CLIENT_KEY_FILE: 'missing-key.pem',
      }),
    ).toThrow(/must be readable PEM files/);
  });

  it('names both ways to authenticate when neither is set', () => {
    expect(() => load(withoutSecret)).toThrow(
      /CLIENT_SECRET \(or CLIENT_CERTIFICATE_FILE with CLIENT_KEY_FILE\) is required/,
    );
  });
});

describe('values that would pass silently and fail later', () => {
  it('refuses a plain-http BASE_URL on another host in production', () => {
    expect(() =>
      load({ ...tenant, NODE_ENV: 'production', BASE_URL: 'http://app.example.com' }),
    ).toThrow(/BASE_URL must be https when NODE_ENV=production/);
    expect(load({ ...tenant, BASE_URL: 'http://app.example.com' }).baseUrl).toBe(
      'http://app.example.com',
    );
  });

  it('requires openid among the SCOPES', () => {
    expect(() => load({ SCOPES: 'profile email' })).toThrow(/SCOPES must include openid/);
    expect(load({ SCOPES: 'openid offline_access' }).oidc.scopes).toBe('openid offline_access');
  });

  it('refuses durations that are endless or absurd, and allows no clock tolerance', () => {
    expect(() => load({ SESSION_IDLE_TIMEOUT: '9'.repeat(400) })).toThrow(/at most 365d/);
    expect(() => load({ SESSION_ABSOLUTE_TIMEOUT: '400d' })).toThrow(/at most 365d/);
    expect(() => load({ SESSION_IDLE_TIMEOUT: '0' })).toThrow(/above 0/);
    expect(load({ CLOCK_TOLERANCE: '0' }).oidc.clockToleranceSeconds).toBe(0);
  });

  it('checks TRUST_PROXY', () => {
    expect(load({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1, loopback' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      'loopback',
    ]);
    expect(() => load({ TRUST_PROXY: '2' })).toThrow(/a hop count such as 1 trusts no proxy/);
    expect(() => load({ TRUST_PROXY: 'yes' })).toThrow(/TRUST_PROXY must be/);
    expect(() => load({ TRUST_PROXY: '10.0.0.0/99' })).toThrow(/TRUST_PROXY must be/);
  });
});

describe('fromEnv for embedders', () => {
  it('reports a wrong value under its environment variable, also through createEntraSignIn', async () => {
    const { fromEnv } = await import('../../src/core/from-env.js');
    const { createEntraSignIn } = await import('../../src/core/create-entra-signin.js');
    const options = fromEnv(
      {
        BASE_URL: 'app.example',
        SESSION_SECRET: 'x'.repeat(40),
        TENANT_ID: 't',
        CLIENT_ID: 'c',
        CLIENT_SECRET: 's',
      },
      { cwd: fresh() },
    );
    await expect(createEntraSignIn(options)).rejects.toThrow(/BASE_URL must be an absolute URL/);
  });

  it('names options by their path when they are given in code', async () => {
    const { resolveOptions } = await import('../../src/core/options.js');
    expect(() =>
      resolveOptions({
        baseUrl: 'app.example',
        tenantId: 't',
        clientId: 'c',
        clientSecret: 's',
        session: { secrets: 'x'.repeat(40) },
      }),
    ).toThrow(/baseUrl must be an absolute URL/);
  });
});

describe('the generated development secret (issue 10, point 6)', () => {
  it('is kept in a private file, also when it replaces a short one of another mode', () => {
    const cwd = fresh();
    mkdirSync(join(cwd, 'data'), { mode: 0o755 });
    writeFileSync(join(cwd, 'data', 'session-secret'), 'short\n');
    chmodSync(join(cwd, 'data', 'session-secret'), 0o644);
    loadConfig({ cwd, env: {} });
    const file = join(cwd, 'data', 'session-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim().length).toBeGreaterThanOrEqual(32);
  });

  it('creates the data folder readable by its owner only', () => {
    const cwd = fresh();
    loadConfig({ cwd, env: {} });
    expect(statSync(join(cwd, 'data')).mode & 0o777).toBe(0o700);
  });
});

describe('WORKERS (issue 13)', () => {
  it('is 1 by default, and auto means one per core', () => {
    expect(load({}).workers).toBe(1);
    expect(load({ WORKERS: 'auto' }).workers).toBe(availableParallelism());
    expect(load({ WORKERS: '3' }).workers).toBe(3);
  });

  it('refuses a count that is not a whole number of processes', () => {
    for (const value of ['0', '-2', '1.5', 'two', '100000']) {
      expect(() => load({ WORKERS: value })).toThrow(/WORKERS must be a number of processes/);
    }
  });

  it('refuses the memory store with more than one worker, and says what to use', () => {
    expect(() => load({ WORKERS: '2', SESSION_STORE: 'memory' })).toThrow(
      /SESSION_STORE=memory cannot be shared by WORKERS=2 processes.*SQLite file.*Redis/,
    );
    expect(load({ WORKERS: '1', SESSION_STORE: 'memory' }).session.store).toBe('memory');
  });

  it('refuses METRICS_TOKEN with more than one worker, and points to METRICS_PORT', () => {
    const token = 'a-metrics-token-of-at-least-32-characters';
    expect(() => load({ WORKERS: '2', METRICS_TOKEN: token })).toThrow(/use METRICS_PORT instead/);
    expect(load({ WORKERS: '2', METRICS_PORT: '9464' }).metrics.port).toBe(9464);
  });

  it("gives the workers the primary's generated secrets, not ones of their own", () => {
    const primary = load({ WORKERS: '2' });
    // Another folder: a worker that generated its own session secret would differ.
    const worker = load({ WORKERS: '2', ...handedDownEnv(primary) });
    expect(worker.session.secrets).toEqual(primary.session.secrets);
    expect(worker.oidc.clientSecret).toBe(primary.oidc.clientSecret);
    expect(worker.api.tokenKeys).toEqual(primary.api.tokenKeys);
  });

  it('hands down only the session secret with a real tenant, whose client secret is configured', () => {
    expect(Object.keys(handedDownEnv(load({ ...tenant, WORKERS: '2' })))).toEqual([
      'SESSION_SECRET',
    ]);
  });
});
