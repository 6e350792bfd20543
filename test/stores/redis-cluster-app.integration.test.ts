import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionKeyFor } from '../../src/core/session/session-id.js';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.js';
import { signIn, startTestApp, type TestApp } from '../support/test-app.js';
import type { Page, UserAgent } from '../support/user-agent.js';

// The app, configured with SESSION_STORE=redis-cluster://…, while the cluster changes under it.

let withReplicas: { cluster: RedisCluster; t: TestApp } | undefined;
let withoutReplicas: { cluster: RedisCluster; t: TestApp } | undefined;

async function startAppOverCluster(replicas: number) {
  const cluster = await startRedisCluster({ primaries: 3, replicas });
  try {
    return { cluster, t: await startTestApp({ SESSION_STORE: cluster.url }) };
  } catch (error) {
    await cluster.close();
    throw error;
  }
}

beforeAll(async () => {
  [withReplicas, withoutReplicas] = await Promise.all([
    startAppOverCluster(1),
    startAppOverCluster(0),
  ]);
}, 60_000);
afterAll(async () => {
  for (const each of [withReplicas, withoutReplicas]) {
    await each?.t.close().catch(() => undefined);
    await each?.cluster.close();
  }
});

describe('the app over a Redis Cluster session store', () => {
  it('keeps a signed-in person signed in across a failover of the primary holding their session', async () => {
    if (!withReplicas) throw new Error('the app and the cluster should be running');
    const { cluster, t } = withReplicas;
    const agent = t.userAgent();
    await signIn(t, agent);
    expect((await agent.get(`${t.baseUrl}/token_details`)).status).toBe(200);

    const key = await sessionKeyOf(t, agent);
    const primary = await cluster.primaryFor(key);
    expect(await primary.command('EXISTS', `entra-signin:s:{${key}}`)).toBe('1');
    const [replica] = await cluster.replicasOf(primary);
    if (replica === undefined) throw new Error('the primary should have a replica');
    await cluster.failover(replica);

    const after = await untilNot503(agent, `${t.baseUrl}/token_details`);
    expect(after.status).toBe(200);
    expect(after.body).toContain('alice@contoso.test');
  });

  it('answers 503 while the primary holding the session is down with no replica, then serves again', async () => {
    if (!withoutReplicas) throw new Error('the app and the cluster should be running');
    const { cluster, t } = withoutReplicas;
    const agent = t.userAgent();
    await signIn(t, agent);
    expect((await agent.get(`${t.baseUrl}/token_details`)).status).toBe(200);

    const key = await sessionKeyOf(t, agent);
    const primary = await cluster.primaryFor(key);
    expect(await primary.command('EXISTS', `entra-signin:s:{${key}}`)).toBe('1');
    await primary.stop();
    const down = await agent.get(`${t.baseUrl}/token_details`);
    expect(down.status).toBe(503);
    expect(down.body).toContain('Sessions are unavailable right now');
    expect(down.body).toContain('SESSION_STORE_UNAVAILABLE');
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);

    await primary.restart();
    const back = await untilNot503(agent, `${t.baseUrl}/token_details`);
    expect(back.status).toBe(200);
    expect(back.body).toContain('alice@contoso.test');
  });
});

// The store key of the agent's session: the cookie carries `id.signature`, and the store keeps
// the session under a hash of the id (its own hash tag, so the key alone names its slot).
async function sessionKeyOf(t: TestApp, agent: UserAgent): Promise<string> {
  const cookie = await agent.cookie(t.baseUrl, t.config.session.cookieName);
  if (cookie === undefined) throw new Error('the agent should hold a session cookie');
  const signed = decodeURIComponent(cookie);
  return sessionKeyFor(signed.slice(0, signed.lastIndexOf('.')));
}

// The store follows the cluster on its own schedule; poll, within a bound, rather than assert how
// fast.
async function untilNot503(agent: UserAgent, url: string): Promise<Page> {
  let page = await agent.get(url);
  for (let attempt = 0; attempt < 100 && page.status === 503; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    page = await agent.get(url);
  }
  return page;
}
