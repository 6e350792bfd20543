import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import {
  HOST_SESSION_COOKIE,
  type Host,
  type HostOptions,
  type StartHost,
} from './adapter-hosts.js';
import { calmGraphApiMode, startFakeGraphApi, type FakeGraphApi } from './fake-graph-api.js';
import { bendsFree } from './hostile-provider-bends.js';
import { HostileProvider } from './hostile-provider.js';
import { UserAgent, type Page } from './user-agent.js';

// The client of hostile-app.ts, named here so that adapter suites do not load the product app.
export const HOSTILE_CLIENT_ID = 'hostile-test-app';
export const HOSTILE_CLIENT_SECRET = 'hostile-test-secret';

/** A host app of one adapter, configured against a {@link HostileProvider}. */
export interface HostileHost {
  readonly provider: HostileProvider;
  readonly host: Host;
  /** The host's URL for a path. */
  url(path: string): string;
  /** Starts a sign-in; the provider approves at once, so this is where the host lands. */
  signIn(agent: UserAgent): Promise<Page>;
  /** Whether the agent holds a session: the guarded route answers 200, not 401. */
  isSignedIn(agent: UserAgent): Promise<boolean>;
  /** The provider's answer to a sign-in this agent starts, not visited yet. */
  providerAnswer(agent: UserAgent): Promise<string>;
}

/** A {@link HostileHost} that calls a fake Graph, which trusts the provider's access tokens. */
export interface HostileGraphHost extends HostileHost {
  readonly graph: FakeGraphApi;
}

/** Starts a hostile provider and a host app pointed at it, with `start`. */
export async function startHostileHost(start: StartHost): Promise<HostileHost & Closable> {
  const provider = await startHostileProvider();
  return hostileHostOf(provider, await start(hostOptionsFor(provider)));
}

/**
 * Starts a hostile provider, a fake Graph that trusts its tokens, and a host app pointed at both
 * with `start`, asking `User.Read` at sign-in as an app on Entra would.
 */
export async function startHostileGraphHost(
  start: StartHost,
): Promise<HostileGraphHost & Closable> {
  const provider = await startHostileProvider();
  const graph = await startFakeGraphApi({ provider });
  const host = await start({
    ...hostOptionsFor(provider),
    apiScopes: 'User.Read',
    graphUrl: graph.url,
  });
  const setup = hostileHostOf(provider, host);
  return {
    ...setup,
    graph,
    close: async () => {
      await setup.close();
      await graph.close();
    },
  };
}

function startHostileProvider(): Promise<HostileProvider> {
  return HostileProvider.start({
    clientId: HOSTILE_CLIENT_ID,
    clientSecret: HOSTILE_CLIENT_SECRET,
  });
}

function hostOptionsFor(provider: HostileProvider): HostOptions {
  return {
    authority: provider.authority,
    clientId: HOSTILE_CLIENT_ID,
    clientSecret: HOSTILE_CLIENT_SECRET,
  };
}

function hostileHostOf(provider: HostileProvider, host: Host): HostileHost & Closable {
  const url = (path: string) => `${host.baseUrl}${path}`;
  return {
    provider,
    host,
    url,
    signIn: (agent) => agent.get(url('/auth/sign_in')),
    isSignedIn: async (agent) => {
      const page = await agent.get(url('/token_details'));
      if (page.status !== 200 && page.status !== 401) {
        throw new Error(`The guarded route answered ${page.status}`);
      }
      return page.status === 200;
    },
    providerAnswer: async (agent) => {
      const started = await agent.get(url('/auth/sign_in'), { follow: false });
      const atProvider = await agent.get(started.headers.get('location') ?? '', { follow: false });
      const answer = atProvider.headers.get('location') ?? '';
      expect(answer.startsWith(url('/auth/redirect?'))).toBe(true);
      return answer;
    },
    close: async () => {
      await host.close();
      await provider.close();
    },
  };
}

interface Closable {
  close(): Promise<void>;
}

/**
 * Runs one hostile host for the enclosing `describe`: started before its tests, the provider's
 * bends reset before each test, closed after. `assign` receives it for the block's variable.
 */
export function useHostileHost(start: StartHost, assign: (setup: HostileHost) => void): void {
  useSetup(
    () => startHostileHost(start),
    assign,
    (setup) => {
      setup.provider.bends = bendsFree();
    },
  );
}

/**
 * {@link useHostileHost} with a fake Graph ({@link startHostileGraphHost}); before each test the
 * provider's bends, its consented scopes and the fake's mode are reset too.
 */
export function useHostileGraphHost(
  start: StartHost,
  assign: (setup: HostileGraphHost) => void,
): void {
  useSetup(
    () => startHostileGraphHost(start),
    assign,
    (setup) => {
      setup.provider.bends = bendsFree();
      setup.provider.consentedScopes.clear();
      setup.provider.consentedScopes.add('User.Read');
      setup.graph.mode = calmGraphApiMode();
    },
  );
}

function useSetup<T extends Closable>(
  startSetup: () => Promise<T>,
  assign: (setup: T) => void,
  reset: (setup: T) => void,
): void {
  let setup: T | undefined;
  beforeAll(async () => {
    setup = await startSetup();
    assign(setup);
  });
  afterAll(async () => setup?.close());
  beforeEach(() => {
    if (setup) reset(setup);
  });
}

/** The `Set-Cookie` values of a response that set the session cookie (not an attempt's). */
export function sessionCookies(page: Page): string[] {
  return page.headers.getSetCookie().filter((c) => c.startsWith(`${HOST_SESSION_COOKIE}=`));
}

/**
 * Expects `trip` to be the one trip to the provider that a Graph claims challenge for `acrs c1`
 * asks for: a 302 to the provider's authorization endpoint whose `claims` carry the challenge's
 * `acrs` and the client capability `cp1`.
 */
export function expectClaimsTrip(s: HostileGraphHost, trip: Page): void {
  expect(trip.status).toBe(302);
  const authorize = new URL(trip.headers.get('location') ?? '');
  // The authorization endpoint of the provider's discovery document.
  expect(`${authorize.origin}${authorize.pathname}`).toBe(
    `${s.provider.publicOrigin}/${s.provider.tenant}/oauth2/v2.0/authorize`,
  );
  const claims = JSON.parse(authorize.searchParams.get('claims') ?? '{}') as {
    access_token?: Record<string, unknown>;
  };
  expect(claims.access_token?.['acrs']).toEqual({ essential: true, value: 'c1' });
  expect(claims.access_token?.['xms_cc']).toEqual({ values: ['cp1'] });
}
