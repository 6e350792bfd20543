import { escapeHtml } from '../../src/index.js';
import type { Host, HostOptions } from '../support/adapter-hosts.js';
import { findFreePort } from '../support/free-port.js';
import { startExample } from './example-app.js';
import type { ExampleName } from './example-names.js';

const TEST_SESSION_SECRET = 'example-host-session-secret-long-enough-0123456789';

/**
 * Starts an installed example (`npm start` in `dir`) as a host, configured the way its README
 * says, by environment alone: the provider, the client, a session secret and sessions in memory,
 * and the API scopes and Graph's origin when given.
 * NODE_ENV stays unset, as startExample leaves out everything of this machine's environment.
 */
export async function startExampleHost(
  name: ExampleName,
  dir: string,
  options: HostOptions,
): Promise<Host> {
  const port = String(await findFreePort());
  const baseUrl = `http://localhost:${port}`;
  const app = await startExample(dir, {
    PORT: port,
    BASE_URL: baseUrl,
    AUTHORITY: options.authority,
    CLIENT_ID: options.clientId,
    CLIENT_SECRET: options.clientSecret,
    SESSION_SECRET: options.sessionSecret ?? TEST_SESSION_SECRET,
    SESSION_STORE: 'memory',
    ...(options.apiScopes === undefined ? {} : { API_SCOPES: options.apiScopes }),
    ...(options.graphUrl === undefined ? {} : { GRAPH_URL: options.graphUrl }),
  });
  return {
    kind: `example-${name}`,
    baseUrl: app.baseUrl,
    // The examples give the library no logger, and it is silent without one.
    logs: null,
    says: examplePages,
    close: () => app.stop(),
  };
}

// What every example's `/` and `/token_details` show (their titles and headings, escaped).
const examplePages = {
  signedIn: (name: string) => escapeHtml(`You're signed in, ${name}`),
  details: (name: string) => escapeHtml(`ID token of ${name}`),
};
