import { describe, expect, it } from 'vitest';
import { MemorySessionStore } from '../../src/core/session/memory-store.js';
import { signIn, startTestApp } from '../support/test-app.js';

describe('when the session store fails', () => {
  it('answers 503 with a clear page and keeps serving what needs no session', async () => {
    const store = new MemorySessionStore();
    const t = await startTestApp({}, { store });
    try {
      const agent = t.userAgent();
      await signIn(t, agent);
      await store.close();
      const page = await agent.get(`${t.baseUrl}/token_details`);
      expect(page.status).toBe(503);
      expect(page.body).toContain('Sessions are unavailable right now');
      expect(page.body).toContain('SESSION_STORE_UNAVAILABLE');
      // The log keeps the error's code, so the README's troubleshooting can be followed.
      const log = t.logs.join('');
      expect(log).toMatch(/"code":"SESSION_STORE_UNAVAILABLE"/);
      expect(log).not.toContain('"code":"[redacted]"');
      expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
      expect((await t.userAgent().get(`${t.baseUrl}/`)).status).toBe(200);
    } finally {
      await t.close().catch(() => undefined);
    }
  });
});
