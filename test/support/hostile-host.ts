import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { HOST_SESSION_COOKIE, type Host, type StartHost } from './adapter-hosts.js';
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

/** Starts a hostile provider and a host app pointed at it, with `start`. */
export async function startHostileHost(start: StartHost): Promise<HostileHost & Closable> {
  const provider = await HostileProvider.start({
    clientId: HOSTILE_CLIENT_ID,
    clientSecret: HOSTILE_CLIENT_SECRET,
  });
  const host = await start({
    authority: provider.authority,
    clientId: HOSTILE_CLIENT_ID,
    clientSecret: HOSTILE_CLIENT_SECRET,
  });
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
  let setup: (HostileHost & Closable) | undefined;
  beforeAll(async () => {
    setup = await startHostileHost(start);
    assign(setup);
  });
  afterAll(async () => setup?.close());
  beforeEach(() => {
    if (setup) setup.provider.bends = bendsFree();
  });
}

/** The `Set-Cookie` values of a response that set the session cookie (not an attempt's). */
export function sessionCookies(page: Page): string[] {
  return page.headers.getSetCookie().filter((c) => c.startsWith(`${HOST_SESSION_COOKIE}=`));
}
