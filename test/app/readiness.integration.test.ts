/**
 * `GET /readyz` of the real app: ready when its real SQLite store answers and the development
 * identity provider's metadata is loaded; 503 naming the check that failed otherwise; and a
 * burst of probes costs the store and the provider one request per period, not one each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEV_TENANT_ID } from '../../src/app/config.js';
import type { StoredSession } from '../../src/core/session/session-store.js';
import { startDevIdp, type DevIdp } from '../../src/dev-idp/dev-idp.js';
import { SqliteSessionStore } from '../../src/stores/sqlite.js';
import { freePort, signIn, startTestApp, type TestApp } from '../support/test-app.js';
import { undoAfterEach } from '../support/undo-after-each.js';

interface Readiness {
  status: string;
  checks: Record<string, { status: string; reason?: string }>;
}

async function probe(t: TestApp): Promise<{ status: number; body: Readiness }> {
  const response = await fetch(`${t.baseUrl}/readyz`);
  return { status: response.status, body: (await response.json()) as Readiness };
}

/** The real SQLite store, counting the reads it is asked for. */
class CountingSqliteStore extends SqliteSessionStore {
  reads = 0;
  override get(key: string, now: number): Promise<StoredSession | null> {
    this.reads += 1;
    return super.get(key, now);
  }
}

// What each test started, undone in reverse order whatever the test's outcome.
const cleanup = undoAfterEach();

function scratchFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'entra-signin-readyz-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'sessions.db');
}

describe('GET /readyz', () => {
  it('answers 200 when the store answers and the provider metadata is loaded', async () => {
    const t = await startTestApp({ SESSION_STORE: `sqlite:${scratchFile()}` });
    cleanup.push(() => t.close());
    const { status, body } = await probe(t);
    expect(status).toBe(200);
    expect(body).toEqual({
      status: 'ready',
      checks: { store: { status: 'ok' }, provider: { status: 'ok' } },
    });
    const response = await fetch(`${t.baseUrl}/readyz`);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('answers 503 naming the provider until its metadata loads, asking it once per 5 s at most', async () => {
    // The provider is not running yet: its port refuses connections.
    const idpPort = await freePort();
    let offset = 0;
    let discoveries = 0;
    const t = await startTestApp(
      {
        AUTHORITY: `http://127.0.0.1:${idpPort}/${DEV_TENANT_ID}/v2.0`,
        CLIENT_ID: 'readiness-app',
        CLIENT_SECRET: 'readiness-secret',
      },
      {
        now: () => Date.now() + offset,
        providerFetch: (url, init) => {
          if (url.endsWith('/.well-known/openid-configuration')) discoveries += 1;
          return fetch(url, init);
        },
      },
    );
    cleanup.push(() => t.close());

    const burst = await Promise.all(Array.from({ length: 40 }, () => probe(t)));
    for (const { status, body } of burst) {
      expect(status).toBe(503);
      expect(body.status).toBe('not ready');
      expect(body.checks['store']).toEqual({ status: 'ok' });
      expect(body.checks['provider']?.status).toBe('failed');
      expect(body.checks['provider']?.reason).toBe(
        "the provider's metadata could not be loaded (AUTH_PROVIDER_UNREACHABLE)",
      );
    }
    expect(discoveries).toBe(1);
    await Promise.all(Array.from({ length: 10 }, () => probe(t)));
    expect(discoveries).toBe(1);
    // Liveness is another question: the process is fine.
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);

    const idp: DevIdp = await startDevIdp({
      port: idpPort,
      nodeEnv: 'test',
      tenantId: DEV_TENANT_ID,
      clientId: 'readiness-app',
      clientSecret: 'readiness-secret',
      redirectUris: [`${t.baseUrl}/auth/redirect`],
      postLogoutRedirectUris: [`${t.baseUrl}/auth/post_sign_out`],
    });
    cleanup.push(() => idp.close());
    // Still the remembered answer, until the period is over.
    expect((await probe(t)).status).toBe(503);
    offset += 5_001;
    const ready = await Promise.all(Array.from({ length: 10 }, () => probe(t)));
    expect(ready.map((r) => r.status)).toEqual(Array.from({ length: 10 }, () => 200));
    expect(discoveries).toBe(2);
  });

  it('gives up on a provider that does not answer after 2 s', async () => {
    // Takes connections and never answers, as a provider behind a black-holing network does.
    const held: Socket[] = [];
    const silent = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanup.push(async () => {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });
    const address = silent.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const t = await startTestApp({
      AUTHORITY: `http://127.0.0.1:${port}/${DEV_TENANT_ID}/v2.0`,
      CLIENT_ID: 'readiness-app',
      CLIENT_SECRET: 'readiness-secret',
      PROVIDER_TIMEOUT: '10s',
    });
    cleanup.push(() => t.close());
    const started = performance.now();
    const { status, body } = await probe(t);
    const took = performance.now() - started;
    expect(status).toBe(503);
    expect(body.checks['provider']).toEqual({ status: 'failed', reason: 'no answer within 2 s' });
    expect(took).toBeGreaterThanOrEqual(1_900);
    expect(took).toBeLessThan(4_000);
  });

  it('answers 503 naming the store when it fails, reading it once per 5 s at most', async () => {
    const store = new CountingSqliteStore(scratchFile());
    let offset = 0;
    const t = await startTestApp({}, { store, now: () => Date.now() + offset });
    cleanup.push(() => t.close());
    // A sign-in loads the provider's metadata.
    await signIn(t, t.userAgent());
    expect((await probe(t)).status).toBe(200);

    await store.close();
    offset += 5_001;
    const readsBefore = store.reads;
    const burst = await Promise.all(Array.from({ length: 40 }, () => probe(t)));
    for (const { status, body } of burst) {
      expect(status).toBe(503);
      expect(body.checks['provider']).toEqual({ status: 'ok' });
      expect(body.checks['store']?.status).toBe('failed');
      expect(body.checks['store']?.reason).toMatch(/^the session store failed/);
    }
    expect(store.reads - readsBefore).toBe(1);
    // The reason names no path, host or driver message.
    expect(JSON.stringify(burst[0]?.body)).not.toContain('sessions.db');
    expect(t.logs.join('')).toContain('readiness check failed');
  });
});
