/**
 * A client of the hostile provider made of plain `fetch` calls, with nothing of the library in
 * it: what the self-tests of the test doubles drive them with.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { bendsFree } from '../support/hostile-provider-bends.js';
import { HostileProvider } from '../support/hostile-provider.js';

export const CLIENT_ID = 'self-test-client';
export const CLIENT_SECRET = 'self-test-secret';
const REDIRECT_URI = 'http://127.0.0.1:9/callback';

/** A token endpoint answer: its status and JSON body. */
export interface TokenAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * Runs one provider for the enclosing `describe`, its bends and consents reset before each test.
 * `assign` receives it for the block's variable.
 */
export function useProvider(assign: (provider: HostileProvider) => void): void {
  let provider: HostileProvider | undefined;
  beforeAll(async () => {
    provider = await HostileProvider.start({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    assign(provider);
  });
  afterAll(async () => provider?.close());
  beforeEach(() => {
    if (!provider) return;
    provider.bends = bendsFree();
    provider.consentedScopes.clear();
    provider.consentedScopes.add('User.Read');
  });
}

/** The provider's endpoint at `path` (`oauth2/v2.0/token`). */
export function endpointOf(provider: HostileProvider, path: string): string {
  return `${provider.origin}/${provider.tenant}/${path}`;
}

/**
 * Signs in with the code flow and PKCE, asking `scope` (and `claims`, `login_hint`); returns the
 * token endpoint's answer.
 */
export async function signIn(
  provider: HostileProvider,
  extra: Record<string, string> = {},
): Promise<TokenAnswer> {
  const verifier = randomBytes(32).toString('base64url');
  const query = new URLSearchParams({
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: 'openid profile email offline_access User.Read',
    state: randomBytes(8).toString('base64url'),
    nonce: randomBytes(8).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...extra,
  });
  const authorize = `${endpointOf(provider, 'oauth2/v2.0/authorize')}?${query.toString()}`;
  const redirect = await fetch(authorize, { redirect: 'manual' });
  const code = new URL(redirect.headers.get('location') ?? '').searchParams.get('code') ?? '';
  return postToken(provider, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  });
}

/** Redeems `refreshToken` for `scope`, authenticated as the client (unless `form` says else). */
export function refresh(
  provider: HostileProvider,
  refreshToken: string,
  form: Record<string, string> = {},
): Promise<TokenAnswer> {
  return postToken(provider, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    scope: 'openid offline_access User.Read',
    ...form,
  });
}

async function postToken(
  provider: HostileProvider,
  form: Record<string, string>,
): Promise<TokenAnswer> {
  const response = await fetch(endpointOf(provider, 'oauth2/v2.0/token'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, ...form }),
    signal: AbortSignal.timeout(5000),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A string field of a token answer; throws when it is not one, so a test fails there. */
export function field(answer: TokenAnswer, name: string): string {
  const value = answer.body[name];
  if (typeof value !== 'string') {
    throw new Error(`The answer has no ${name}: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return value;
}
