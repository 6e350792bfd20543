import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/config.js';
import { logOptions } from '../../src/app/log-options.js';
import { bearerTokenOf, sameSecret } from '../../src/app/metrics-routes.js';

const tenant = {
  TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  CLIENT_ID: '11111111-2222-3333-4444-555555555555',
  CLIENT_SECRET: 'client-secret-value',
  SESSION_SECRET: 'a-session-secret-of-at-least-32-characters!',
  BASE_URL: 'https://signin.example.com',
};
const load = (env: Record<string, string>) =>
  loadConfig({ env: { ...tenant, ...env }, cwd: mkdtempSync(join(tmpdir(), 'entra-signin-obs-')) });
const TOKEN = 'x'.repeat(32);

describe('LOG_FORMAT', () => {
  it('is pretty in development and JSON in production and tests, unless set', () => {
    expect(load({ NODE_ENV: 'development' }).logFormat).toBe('pretty');
    expect(load({ NODE_ENV: 'production' }).logFormat).toBe('json');
    expect(load({ NODE_ENV: 'test' }).logFormat).toBe('json');
    expect(load({ NODE_ENV: 'development', LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(load({ NODE_ENV: 'production', LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
  });

  it('decides whether the lines go through pino-pretty', () => {
    const pretty = logOptions(load({ NODE_ENV: 'production', LOG_FORMAT: 'pretty' }));
    const json = logOptions(load({ NODE_ENV: 'development', LOG_FORMAT: 'json' }));
    expect(pretty).toMatchObject({ transport: { target: 'pino-pretty' } });
    expect(json).not.toHaveProperty('transport');
  });

  it('refuses another value, naming the two it takes', () => {
    expect(() => load({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT must be pretty .* or json/);
  });
});

describe('the metrics settings', () => {
  it('serve no metrics unless METRICS_PORT or METRICS_TOKEN is set', () => {
    expect(load({}).metrics).toEqual({ port: null, host: '127.0.0.1', token: null });
  });

  it('put the metrics listener on loopback unless METRICS_HOST says otherwise', () => {
    expect(load({ METRICS_PORT: '9464' }).metrics).toEqual({
      port: 9464,
      host: '127.0.0.1',
      token: null,
    });
    expect(load({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' }).metrics.host).toBe('0.0.0.0');
  });

  it('refuse METRICS_HOST without METRICS_PORT', () => {
    expect(() => load({ METRICS_HOST: '0.0.0.0' })).toThrow(
      /METRICS_HOST only applies to the metrics listener: set METRICS_PORT too/,
    );
  });

  it('refuse a METRICS_PORT that is PORT', () => {
    expect(() => load({ PORT: '8080', METRICS_PORT: '8080' })).toThrow(
      /METRICS_PORT must differ from PORT \(8080\)/,
    );
  });

  it('refuse a METRICS_TOKEN shorter than 32 characters, or one no header can carry', () => {
    expect(() => load({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN must be at least 32/);
    expect(() => load({ METRICS_TOKEN: `${TOKEN} ${TOKEN}` })).toThrow(/METRICS_TOKEN/);
    expect(load({ METRICS_TOKEN: TOKEN }).metrics.token).toBe(TOKEN);
  });
});

describe('SHUTDOWN_TIMEOUT', () => {
  it('is 10 s unless set, as a duration', () => {
    expect(load({}).shutdownTimeoutMs).toBe(10_000);
    expect(load({ SHUTDOWN_TIMEOUT: '30s' }).shutdownTimeoutMs).toBe(30_000);
    expect(load({ SHUTDOWN_TIMEOUT: '2m' }).shutdownTimeoutMs).toBe(120_000);
  });

  it('refuses zero and what is no duration', () => {
    for (const value of ['0', 'soon', '2h']) {
      expect(() => load({ SHUTDOWN_TIMEOUT: value })).toThrow(
        /SHUTDOWN_TIMEOUT must be a duration such as 10s/,
      );
    }
  });
});

describe('the bearer token of /metrics', () => {
  it('is read from an Authorization header with the Bearer scheme only', () => {
    expect(bearerTokenOf(`Bearer ${TOKEN}`)).toBe(TOKEN);
    expect(bearerTokenOf(`bearer ${TOKEN}`)).toBe(TOKEN);
    expect(bearerTokenOf(`Basic ${TOKEN}`)).toBeNull();
    expect(bearerTokenOf(`Bearer ${TOKEN} extra`)).toBeNull();
    expect(bearerTokenOf(undefined)).toBeNull();
  });

  it('is compared whatever the lengths', () => {
    expect(sameSecret(TOKEN, TOKEN)).toBe(true);
    expect(sameSecret(`${TOKEN}y`, TOKEN)).toBe(false);
    expect(sameSecret('', TOKEN)).toBe(false);
  });
});
