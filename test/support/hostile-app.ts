import { afterAll, beforeAll, beforeEach } from 'vitest';
import { bendsFree } from './hostile-provider-bends.js';
import type { BuildAppOptions } from '../../src/app/build-app.js';
import {
  fakeMicrosoftHostAliases,
  fakeMicrosoftHostsFetch,
  HostileProvider,
  type HostileProviderOptions,
} from './hostile-provider.js';
import { startTestApp, type TestApp } from './test-app.js';
import { UserAgent, type Page } from './user-agent.js';

/** The real app, configured against a {@link HostileProvider}. */
export interface HostileSetup {
  readonly t: TestApp;
  readonly provider: HostileProvider;
  /** A new user agent that reaches faked Microsoft hosts at the provider. */
  userAgent(): UserAgent;
  close(): Promise<void>;
}

export const HOSTILE_CLIENT_ID = 'hostile-test-app';
export const HOSTILE_CLIENT_SECRET = 'hostile-test-secret';

/**
 * Starts a hostile provider and the real app pointed at it (AUTHORITY, CLIENT_ID,
 * CLIENT_SECRET). With a Microsoft `publicOrigin`, the app and the user agents reach that host at
 * the local provider through the fakes in `hostile-provider.ts`.
 */
export async function startHostileSetup(
  options: {
    env?: Record<string, string>;
    provider?: Partial<HostileProviderOptions>;
    app?: Pick<BuildAppOptions, 'now'>;
  } = {},
): Promise<HostileSetup> {
  const provider = await HostileProvider.start({
    clientId: HOSTILE_CLIENT_ID,
    clientSecret: HOSTILE_CLIENT_SECRET,
    ...options.provider,
  });
  const faked = provider.publicOrigin !== provider.origin;
  const t = await startTestApp(
    {
      AUTHORITY: provider.authority,
      CLIENT_ID: HOSTILE_CLIENT_ID,
      CLIENT_SECRET: HOSTILE_CLIENT_SECRET,
      ...options.env,
    },
    { ...options.app, ...(faked ? { providerFetch: fakeMicrosoftHostsFetch(provider) } : {}) },
  );
  const originAliases = faked ? fakeMicrosoftHostAliases(provider) : {};
  return {
    t,
    provider,
    userAgent: () => new UserAgent({ originAliases }),
    close: async () => {
      await t.close();
      await provider.close();
    },
  };
}

/** Starts a sign-in; the provider approves at once, so this returns where the app lands. */
export function signInThroughProvider(
  setup: HostileSetup,
  agent: UserAgent,
  query = '',
): Promise<Page> {
  return agent.get(`${setup.t.baseUrl}/auth/sign_in${query}`);
}

/** Whether the agent holds a signed-in session: the claims page answers 200, not 401. */
export async function isSignedIn(setup: HostileSetup, agent: UserAgent): Promise<boolean> {
  const page = await agent.get(`${setup.t.baseUrl}/token_details`);
  if (page.status !== 200 && page.status !== 401) {
    throw new Error(`The claims page answered ${page.status}`);
  }
  return page.status === 200;
}

/**
 * Runs one hostile set-up for the enclosing `describe`: started before its tests, the provider's
 * bends reset before each test, closed after. `assign` receives it for the block's variable.
 */
export function useHostileSetup(assign: (setup: HostileSetup) => void): void {
  let setup: HostileSetup | undefined;
  beforeAll(async () => {
    setup = await startHostileSetup();
    assign(setup);
  });
  afterAll(async () => setup?.close());
  beforeEach(() => {
    if (setup) setup.provider.bends = bendsFree();
  });
}
