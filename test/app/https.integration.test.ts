import { request } from 'node:https';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app/build-app.js';
import { loadTls } from '../../src/app/local-tls.js';
import { freePort, startTestApp } from '../support/test-app.js';

describe('HTTPS=adhoc', () => {
  it('serves https with a generated certificate and a Secure __Host- session cookie', async () => {
    const port = await freePort();
    const t = await startTestApp({
      HTTPS: 'adhoc',
      PORT: String(port),
      BASE_URL: `https://localhost:${port}`,
    });
    await t.app.close();
    const tls = await loadTls(t.config);
    expect(tls).not.toBeNull();
    const app = await buildApp(t.config, {
      https: tls ?? { key: '', cert: '' },
      logStream: { write: () => undefined },
    });
    await app.listen({ host: 'localhost', port });
    try {
      const response = await new Promise<{ status: number; cookies: string[] }>(
        (resolve, reject) => {
          request(`https://localhost:${port}/auth/sign_in`, { ca: tls?.cert }, (res) => {
            res.resume();
            resolve({ status: res.statusCode ?? 0, cookies: res.headers['set-cookie'] ?? [] });
          })
            .on('error', reject)
            .end();
        },
      );
      expect(response.status).toBe(302);
      const cookie = response.cookies.join('\n');
      // Sign-in keeps its attempt in a __Host- cookie of its own; the session cookie comes later.
      expect(cookie).toMatch(/^__Host-entra-signin-signin-/);
      expect(cookie).toContain('Secure');
      expect(cookie).toContain('Path=/');
    } finally {
      await app.close();
      await t.idp.close();
    }
  });
});
