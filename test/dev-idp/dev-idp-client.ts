/**
 * A confidential client of a started development identity provider, driven the way the library
 * drives Entra: openid-client v6 for the protocol, a real user agent (cookies, redirects) for
 * the provider's pages. Not a fake: everything goes over HTTP to the real provider.
 */
import * as oidc from 'openid-client';
import { DEV_TENANT_ID } from '../../src/app/config.js';
import { DEMO_PASSWORD } from '../../src/dev-idp/accounts.js';
import { startDevIdp, type DevIdp } from '../../src/dev-idp/dev-idp.js';
import { findForms, UserAgent, type Page } from '../support/user-agent.js';

export const CLIENT_ID = 'graph-app';
const CLIENT_SECRET = 'graph-app-secret';
export const REDIRECT_URI = 'http://localhost:1/auth/redirect';
/** What the library asks for at sign-in when the app calls Graph. */
export const SIGN_IN_SCOPES = 'openid profile email offline_access User.Read';

/** A development identity provider with one client, and that client's configuration. */
export async function startProviderWithClient(): Promise<{
  idp: DevIdp;
  client: oidc.Configuration;
}> {
  const idp = await startDevIdp({
    port: 0,
    nodeEnv: 'test',
    tenantId: DEV_TENANT_ID,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [REDIRECT_URI],
    postLogoutRedirectUris: [],
  });
  const client = await oidc.discovery(new URL(idp.issuer), CLIENT_ID, CLIENT_SECRET, undefined, {
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the provider is on loopback, over http
    execute: [oidc.allowInsecureRequests],
  });
  return { idp, client };
}

/** Where an authorization request ended: back at the redirect URI, or on a provider page. */
export type Arrival = { callback: URL; page?: never } | { page: Page; callback?: never };

/** An authorization request under way: the user agent's arrival and the PKCE verifier. */
export interface Authorization {
  readonly arrival: Arrival;
  readonly codeVerifier: string;
  readonly state: string;
}

/**
 * Sends the user agent to the authorization endpoint with `scope` (and `prompt`), and signs in
 * at the form if the provider shows it, as `username`.
 */
export async function authorize(
  agent: UserAgent,
  client: oidc.Configuration,
  options: { scope: string; prompt?: string; username?: string },
): Promise<Authorization> {
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(client, {
    redirect_uri: REDIRECT_URI,
    scope: options.scope,
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    ...(options.prompt === undefined ? {} : { prompt: options.prompt }),
  });
  let arrival = await browse(agent, await agent.get(url.href, { follow: false }));
  if (arrival.page !== undefined && arrival.page.body.includes('id="password"')) {
    arrival = await submit(agent, arrival.page, 0, {
      username: options.username ?? 'alice@contoso.test',
      password: DEMO_PASSWORD,
    });
  }
  return { arrival, codeVerifier, state };
}

/** Submits form `index` of the page the authorization stopped at (0 Accept, 1 Cancel). */
export async function answerPage(
  agent: UserAgent,
  authorization: Authorization,
  index: number,
): Promise<Authorization> {
  const page = authorization.arrival.page;
  if (page === undefined) throw new Error('The authorization did not stop at a page');
  return { ...authorization, arrival: await submit(agent, page, index) };
}

/** Redeems the code the authorization came back with (RFC 6749 §4.1.3). */
export async function redeemCode(
  client: oidc.Configuration,
  authorization: Authorization,
): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers> {
  const { callback, page } = authorization.arrival;
  if (callback === undefined) throw new Error(`Stopped at ${page.url} instead of the app`);
  return oidc.authorizationCodeGrant(client, callback, {
    pkceCodeVerifier: authorization.codeVerifier,
    expectedState: authorization.state,
  });
}

/** Signs Alice (or `username`) in with `scope` and redeems the code. */
export async function signInAndRedeem(
  client: oidc.Configuration,
  options: { scope?: string; username?: string } = {},
) {
  const agent = new UserAgent();
  const authorization = await authorize(agent, client, {
    scope: options.scope ?? SIGN_IN_SCOPES,
    ...(options.username === undefined ? {} : { username: options.username }),
  });
  return { agent, tokens: await redeemCode(client, authorization) };
}

/** A GET at the Graph fake with this bearer token. */
export function callGraph(idp: DevIdp, path: string, token?: string): Promise<Response> {
  return fetch(`${idp.graphUrl}${path}`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
}

/** A POST of JSON at the Graph fake with this bearer token (`contentType` to send another type). */
export function postGraph(
  idp: DevIdp,
  path: string,
  token: string,
  body: string,
  contentType = 'application/json',
): Promise<Response> {
  return fetch(`${idp.graphUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    body,
  });
}

/** Signs `username` in asking `scope`, accepts the consent page if shown, and redeems the code. */
export async function consentAndRedeem(
  client: oidc.Configuration,
  options: { scope: string; username?: string },
) {
  const agent = new UserAgent();
  let authorization = await authorize(agent, client, options);
  if (authorization.arrival.page !== undefined) {
    authorization = await answerPage(agent, authorization, 0);
  }
  return redeemCode(client, authorization);
}

// Follows redirects until a page, or until the provider sends the browser back to the app
// (nothing listens at the redirect URI).
async function browse(agent: UserAgent, first: Page): Promise<Arrival> {
  let page = first;
  for (let hop = 0; hop < 10; hop += 1) {
    const location = page.headers.get('location');
    if (page.status < 300 || page.status >= 400 || location === null) return { page };
    const next = new URL(location, page.url);
    if (next.href.startsWith(REDIRECT_URI)) return { callback: next };
    page = await agent.get(next.href, { follow: false });
  }
  throw new Error(`Too many redirects from ${first.url}`);
}

// Submits form `index` of a page without following redirects past the provider.
async function submit(
  agent: UserAgent,
  page: Page,
  index: number,
  fields: Record<string, string> = {},
): Promise<Arrival> {
  const form = findForms(page.body)[index];
  if (form === undefined) throw new Error(`No form #${index} on ${page.url}`);
  const action = new URL(form.action, page.url).href;
  return browse(agent, await agent.post(action, { ...form.hidden, ...fields }, { follow: false }));
}
