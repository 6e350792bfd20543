import { afterEach, describe, expect, it } from 'vitest';
import {
  signInThrough,
  signOutThrough,
  startAppProcess,
  startSharedProvider,
  type AppProcess,
  type SharedProvider,
} from '../support/app-process.js';
import { findFreePort } from '../support/free-port.js';
import { useProcessFixture } from '../support/process-fixture.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../support/round-robin-proxy.js';
import { UserAgent } from '../support/user-agent.js';

// Two real app processes (node dist/server.js) sharing one store, the way two instances behind a
// load balancer share it: what one writes, the other must read.

const fixture = useProcessFixture();

describe.each(fixture.stores)('two app instances sharing one %s store', (_name, storeSetting) => {
  const running: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const thing of running.splice(0).reverse()) await thing.close();
  });

  /** Two instances; behind a round-robin balancer whose origin is their BASE_URL, if asked. */
  async function startPair(options: { behindBalancer?: boolean } = {}) {
    const ports = [await findFreePort(), await findFreePort()];
    const origins = ports.map((port) => `http://localhost:${port}`);
    let balancer: RoundRobinProxy | null = null;
    if (options.behindBalancer === true) {
      balancer = await startRoundRobinProxy(origins);
      running.push(balancer);
    }
    const provider: SharedProvider = await startSharedProvider(
      balancer === null ? origins : [balancer.url],
    );
    running.push(provider.idp);
    const store = storeSetting();
    const instances: AppProcess[] = [];
    for (const port of ports) {
      const instance = await startAppProcess(fixture.server(), port, {
        ...provider.env,
        SESSION_STORE: store,
        ...(balancer === null ? {} : { BASE_URL: balancer.url }),
      });
      running.push({ close: () => instance.stop() });
      instances.push(instance);
    }
    return { first: instances[0] as AppProcess, second: instances[1] as AppProcess, balancer };
  }

  it('sign in through one, use the other, sign out through the other', async () => {
    const { first, second } = await startPair();
    const agent = new UserAgent();
    const landed = await signInThrough(agent, first.baseUrl);
    expect(landed.url).toBe(`${first.baseUrl}/`);
    expect(landed.body).toContain("You're signed in, Alice Example!");

    const details = await agent.get(`${second.baseUrl}/token_details`);
    expect(details.status).toBe(200);
    expect(details.body).toContain('alice@contoso.test');

    const back = await signOutThrough(agent, second.baseUrl);
    expect(back.url.split('?')[0]).toBe(`${second.baseUrl}/auth/post_sign_out`);
    expect((await agent.get(`${first.baseUrl}/token_details`)).status).toBe(401);
    expect((await agent.get(`${second.baseUrl}/token_details`)).status).toBe(401);
  });

  it('sign in through one and sign out through the same one ends the session on both', async () => {
    const { first, second } = await startPair();
    const agent = new UserAgent();
    await signInThrough(agent, first.baseUrl);
    expect((await agent.get(`${second.baseUrl}/token_details`)).status).toBe(200);
    await signOutThrough(agent, first.baseUrl);
    expect((await agent.get(`${second.baseUrl}/token_details`)).status).toBe(401);
  });

  it('completes a sign-in started on one instance when the answer lands on the other', async () => {
    const { balancer } = await startPair({ behindBalancer: true });
    if (balancer === null) throw new Error('the balancer should be running');
    const agent = new UserAgent();
    // Strict turns: sign_in goes to the first instance, the provider's answer to the second.
    const landed = await signInThrough(agent, balancer.url);
    expect(landed.url).toBe(`${balancer.url}/`);
    expect(landed.body).toContain("You're signed in, Alice Example!");
    for (let i = 0; i < 4; i += 1) {
      expect((await agent.get(`${balancer.url}/token_details`)).status).toBe(200);
    }
    expect(balancer.served.every((count) => count >= 3)).toBe(true);
    await signOutThrough(agent, balancer.url);
    for (let i = 0; i < 2; i += 1) {
      expect((await agent.get(`${balancer.url}/token_details`)).status).toBe(401);
    }
  });
});
