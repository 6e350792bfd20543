import { describe, expect, it } from 'vitest';
import {
  expectClaimsTrip,
  useHostileGraphHost,
  type HostileGraphHost,
} from '../support/hostile-host.js';
import { describeHostileCases } from '../support/hostile-suite.js';
import { UserAgent } from '../support/user-agent.js';
import { startExampleHost } from './example-hosts.js';
import { EXAMPLES } from './example-names.js';
import { useInstalledExamples } from './installed-examples.js';

// The hostile-provider cases of test/adapters, against each example installed from the packed
// library and started as its users start it: the examples must refuse the same bad tokens,
// states and callbacks as the adapters' minimal hosts, with the same status, code and cookies.
const examples = useInstalledExamples();

describe.each(EXAMPLES)('the %s example, installed, against a hostile provider', (name) => {
  describeHostileCases((options) => startExampleHost(name, examples.folderOf(name), options), {
    readsLogs: false,
  });
});

// Each example mounts its adapter's error translator in its own way (Express middleware,
// Fastify's error handler, Hono's onError): a claims challenge on /profile must reach it.
describe.each(EXAMPLES)('the %s example, installed, calling a fake Graph', (name) => {
  let s: HostileGraphHost;
  useHostileGraphHost(
    (options) => startExampleHost(name, examples.folderOf(name), options),
    (setup) => (s = setup),
  );

  it('sends the person to the provider for the claims a Graph challenge asks, and back to /profile', async () => {
    const agent = new UserAgent();
    await s.signIn(agent);
    s.graph.mode.challenge = { acrs: 'c1' };
    const trip = await agent.get(s.url('/profile'), { follow: false });
    expectClaimsTrip(s, trip);
    const back = await agent.follow(trip);
    expect(back.url).toBe(s.url('/profile'));
    expect(back.status).toBe(200);
    expect(back.body).toContain('Profile of Mallory Example');
  });
});
