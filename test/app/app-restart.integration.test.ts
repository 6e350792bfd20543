import { describe, expect, it } from 'vitest';
import { signInThrough, startAppProcess, startSharedProvider } from '../support/app-process.js';
import { findFreePort } from '../support/free-port.js';
import { useProcessFixture } from '../support/process-fixture.js';
import { UserAgent } from '../support/user-agent.js';

const fixture = useProcessFixture();

describe.each(fixture.stores)('with sessions in the %s store', (_name, storeSetting) => {
  it('keeps a person signed in across a restart of the app process', async () => {
    const port = await findFreePort();
    const origin = `http://localhost:${port}`;
    const provider = await startSharedProvider([origin]);
    const env = { ...provider.env, SESSION_STORE: storeSetting() };
    try {
      const agent = new UserAgent();
      const before = await startAppProcess(fixture.server(), port, env);
      try {
        expect((await signInThrough(agent, origin)).body).toContain('Alice Example');
      } finally {
        await before.stop();
      }
      const after = await startAppProcess(fixture.server(), port, env);
      try {
        const details = await agent.get(`${origin}/token_details`);
        expect(details.status).toBe(200);
        expect(details.body).toContain('alice@contoso.test');
      } finally {
        await after.stop();
      }
    } finally {
      await provider.idp.close();
    }
  });
});
