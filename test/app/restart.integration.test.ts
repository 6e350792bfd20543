import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app/build-app.js';
import { signIn, startTestApp } from '../support/test-app.js';

describe('sessions in the SQLite file', () => {
  it('keep a person signed in across a restart of the app', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'restart-')), 'sessions.db');
    const t = await startTestApp({ SESSION_STORE: `sqlite:${file}` });
    try {
      const agent = t.userAgent();
      await signIn(t, agent);
      await t.app.close();
      const again = await buildApp(t.config, { logStream: { write: () => undefined } });
      await again.listen({ host: 'localhost', port: t.config.port });
      try {
        const details = await agent.get(`${t.baseUrl}/token_details`);
        expect(details.status).toBe(200);
        expect(details.body).toContain('Alice Example');
      } finally {
        await again.close();
      }
    } finally {
      await t.idp.close();
    }
  });
});
