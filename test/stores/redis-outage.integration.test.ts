import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, UserAgent } from '../support/user-agent.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { signIn, startTestApp, type TestApp } from '../support/test-app.js';

let redis: RedisServer | undefined;
let t: TestApp | undefined;

beforeAll(async () => {
  redis = await startRedisServer();
  t = await startTestApp({ SESSION_STORE: redis.url });
});
afterAll(async () => {
  await t?.close().catch(() => undefined);
  await redis?.close();
});

describe('when Redis, the session store, goes down and comes back', () => {
  it('answers 503 with a clear page while it is down, then serves the signed-in page again', async () => {
    if (!t || !redis) throw new Error('the app and Redis should be running');
    const app = t;
    const agent = app.userAgent();
    await signIn(app, agent);
    expect((await agent.get(`${app.baseUrl}/token_details`)).status).toBe(200);

    await redis.stop();
    const down = await agent.get(`${app.baseUrl}/token_details`);
    expect(down.status).toBe(503);
    expect(down.body).toContain('Sessions are unavailable right now');
    expect(down.body).toContain('SESSION_STORE_UNAVAILABLE');
    expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
    expect((await app.userAgent().get(`${app.baseUrl}/`)).status).toBe(200);

    await redis.restart();
    const back = await untilNot503(agent, `${app.baseUrl}/token_details`);
    expect(back.status).toBe(200);
    expect(back.body).toContain('alice@contoso.test');
  });
});

// The store reconnects on its own schedule (at most two seconds apart); poll, within a bound,
// rather than assert how fast.
async function untilNot503(agent: UserAgent, url: string): Promise<Page> {
  let page = await agent.get(url);
  for (let attempt = 0; attempt < 100 && page.status === 503; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    page = await agent.get(url);
  }
  return page;
}
