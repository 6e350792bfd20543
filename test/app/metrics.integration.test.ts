/**
 * The Prometheus metrics of the real app, against the real development identity provider and a
 * real SQLite file: where they are served (and where not), and what they count.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteSessionStore } from '../../src/stores/sqlite.js';
import { freePort, signIn, startTestApp, type TestApp } from '../support/test-app.js';
import { readSamples, sampleValue, type PrometheusSample } from './prometheus-text.js';

const MINUTE = 60_000;
const TOKEN = randomBytes(32).toString('base64url');

async function scrape(url: string, token = TOKEN): Promise<PrometheusSample[]> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return readSamples(await response.text());
}

describe('with METRICS_TOKEN, on the public port', () => {
  let t: TestApp;
  let dir: string;
  const metrics = () => scrape(`${t.baseUrl}/metrics`);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'entra-signin-metrics-'));
    t = await startTestApp({
      METRICS_TOKEN: TOKEN,
      SESSION_STORE: `sqlite:${join(dir, 'sessions.db')}`,
    });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a scrape without the bearer token, or with another', async () => {
    const without = await fetch(`${t.baseUrl}/metrics`);
    expect(without.status).toBe(401);
    expect(without.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    const wrong = await fetch(`${t.baseUrl}/metrics`, {
      headers: { authorization: `Bearer ${randomBytes(32).toString('base64url')}` },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe(
      'Bearer realm="metrics", error="invalid_token"',
    );
    const basic = await fetch(`${t.baseUrl}/metrics`, {
      headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` },
    });
    expect(basic.status).toBe(401);
    for (const response of [without, wrong, basic]) {
      expect(await response.text()).not.toContain('process_cpu');
    }
  });

  it("serves the metrics to the token, Node's process metrics included", async () => {
    const response = await fetch(`${t.baseUrl}/metrics`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const samples = readSamples(await response.text());
    const names = new Set(samples.map((s) => s.name));
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(names).toContain(name);
    }
  });

  it('counts sign-ins by outcome and error code, and times the answer at the redirect URI', async () => {
    const before = await metrics();
    const landed = await signIn(t, t.userAgent());
    expect(landed.body).toContain("You're signed in, Alice Example!");
    // An answer to no sign-in of this browser: AUTH_ATTEMPT_NOT_FOUND.
    const failed = await t.userAgent().get(`${t.baseUrl}/auth/redirect?code=c&state=s`);
    expect(failed.body).toContain('AUTH_ATTEMPT_NOT_FOUND');
    const after = await metrics();
    const grew = (name: string, labels: Record<string, string>) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(grew('entra_signin_sign_ins_total', { outcome: 'success' })).toBe(1);
    expect(
      grew('entra_signin_sign_ins_total', { outcome: 'failure', code: 'AUTH_ATTEMPT_NOT_FOUND' }),
    ).toBe(1);
    expect(grew('entra_signin_sign_in_duration_seconds_count', { outcome: 'success' })).toBe(1);
    expect(grew('entra_signin_sign_in_duration_seconds_count', { outcome: 'failure' })).toBe(1);
    expect(
      grew('entra_signin_sign_in_duration_seconds_sum', { outcome: 'success' }),
    ).toBeGreaterThan(0);
    expect(grew('entra_signin_audit_events_total', { type: 'signed-in' })).toBe(1);
    expect(grew('entra_signin_audit_events_total', { type: 'sign-in-failed' })).toBe(1);
  });

  it('labels requests by route pattern and status, never by what the URL held', async () => {
    const marker = `m${randomBytes(8).toString('hex')}`;
    await fetch(`${t.baseUrl}/static/${marker}.css`);
    await fetch(`${t.baseUrl}/static/app.css?${marker}`);
    await fetch(`${t.baseUrl}/${marker}/x?${marker}=1`);
    await fetch(`${t.baseUrl}/auth/redirect?code=${marker}&state=${marker}`);
    await fetch(`${t.baseUrl}/`);
    const response = await fetch(`${t.baseUrl}/metrics`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const text = await response.text();
    expect(text).not.toContain(marker);
    const samples = readSamples(text);
    const count = (labels: Record<string, string>) =>
      sampleValue(samples, 'entra_signin_http_request_duration_seconds_count', labels);
    expect(count({ method: 'GET', route: '/static/*', status: '200' })).toBeGreaterThanOrEqual(1);
    // A file that is not there is the not-found handler's, as is any path no route has.
    expect(count({ method: 'GET', route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
    expect(count({ method: 'GET', route: '/auth/redirect', status: '400' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(count({ method: 'GET', route: '/', status: '200' })).toBeGreaterThanOrEqual(1);
    const routes = new Set(
      samples
        .filter((s) => s.name === 'entra_signin_http_request_duration_seconds_count')
        .map((s) => s.labels['route']),
    );
    for (const route of routes) expect(route).toMatch(/^(\/[\w/*.-]*|unmatched)$/);
  });

  it("times the session store's operations", async () => {
    const before = await metrics();
    const agent = t.userAgent();
    await signIn(t, agent);
    expect((await agent.get(`${t.baseUrl}/token_details`)).status).toBe(200);
    const after = await metrics();
    const grew = (operation: string) =>
      sampleValue(after, 'entra_signin_session_store_duration_seconds_count', { operation }) -
      sampleValue(before, 'entra_signin_session_store_duration_seconds_count', { operation });
    // The spent state, the new session, then reading it back for the claims page.
    expect(grew('markUsed')).toBe(1);
    expect(grew('set')).toBe(1);
    expect(grew('get')).toBeGreaterThanOrEqual(1);
    expect(sampleValue(after, 'entra_signin_session_store_errors_total')).toBe(0);
  });
});

describe('when the session store fails', () => {
  it('counts the failed operations by name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'entra-signin-metrics-'));
    const store = new SqliteSessionStore(join(dir, 'sessions.db'));
    const t = await startTestApp({ METRICS_TOKEN: TOKEN }, { store });
    try {
      const agent = t.userAgent();
      await signIn(t, agent);
      await store.close();
      expect((await agent.get(`${t.baseUrl}/token_details`)).status).toBe(503);
      const samples = await scrape(`${t.baseUrl}/metrics`);
      expect(
        sampleValue(samples, 'entra_signin_session_store_errors_total', { operation: 'get' }),
      ).toBe(1);
      expect(
        sampleValue(samples, 'entra_signin_session_store_duration_seconds_count', {
          operation: 'get',
        }),
      ).toBeGreaterThanOrEqual(1);
    } finally {
      await t.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('token refreshes', () => {
  it('are counted and timed, and a failed one is counted with its code', async () => {
    let offset = 0;
    const t = await startTestApp(
      { METRICS_TOKEN: TOKEN, SESSION_IDLE_TIMEOUT: '4h', PROVIDER_TIMEOUT: '2s' },
      { now: () => Date.now() + offset },
    );
    try {
      const agent = t.userAgent();
      await signIn(t, agent);
      expect((await agent.get(`${t.baseUrl}/profile`)).status).toBe(200);
      const refreshes = async (labels: Record<string, string>) =>
        sampleValue(
          await scrape(`${t.baseUrl}/metrics`),
          'entra_signin_token_refreshes_total',
          labels,
        );
      // The sign-in's own token: no refresh yet.
      expect(await refreshes({})).toBe(0);

      offset = 61 * MINUTE;
      expect((await agent.get(`${t.baseUrl}/profile`)).status).toBe(200);
      expect(await refreshes({ outcome: 'success' })).toBe(1);
      const timed = await scrape(`${t.baseUrl}/metrics`);
      expect(
        sampleValue(timed, 'entra_signin_token_refresh_duration_seconds_count', {
          outcome: 'success',
        }),
      ).toBe(1);

      // The provider is gone and the refreshed token has expired too.
      await t.idp.close();
      offset = 122 * MINUTE;
      const page = await agent.get(`${t.baseUrl}/profile`);
      expect(page.body).toContain('API_TOKEN_UNAVAILABLE');
      expect(await refreshes({ outcome: 'failure', code: 'API_TOKEN_UNAVAILABLE' })).toBe(1);
      expect(await refreshes({ outcome: 'success' })).toBe(1);
    } finally {
      await t.close().catch(() => undefined);
    }
  });
});

describe('with METRICS_PORT', () => {
  it('serves the metrics on a loopback listener of their own, and not on the public port', async () => {
    const port = await freePort();
    const t = await startTestApp({ METRICS_PORT: String(port) });
    try {
      expect((await fetch(`${t.baseUrl}/metrics`)).status).toBe(404);
      const own = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(own.status).toBe(200);
      expect(readSamples(await own.text()).map((s) => s.name)).toContain(
        'process_cpu_user_seconds_total',
      );
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
      const line = t.logs
        .map((l) => JSON.parse(l) as { msg?: string; address?: string })
        .find((l) => l.msg === 'metrics listening');
      expect(line?.address).toBe(`http://127.0.0.1:${port}/metrics`);
    } finally {
      await t.close();
    }
    // Closed with the app.
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });

  it('stops the start-up when its port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      await expect(startTestApp({ METRICS_PORT: String(port) })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

describe('with neither METRICS_PORT nor METRICS_TOKEN', () => {
  it('serves no metrics at all', async () => {
    const t = await startTestApp();
    try {
      const response = await fetch(`${t.baseUrl}/metrics`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('process_cpu');
      expect(t.logs.join('')).not.toContain('metrics listening');
    } finally {
      await t.close();
    }
  });
});
