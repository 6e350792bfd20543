import { describe, expect, it } from 'vitest';
import { ManagedIdentityToken } from '../../../src/core/credentials/managed-identity-token.js';

// Issue 14: a managed identity's token as the client assertion. The endpoint is a fake `fetch`
// answering as App Service documents it; unit tests have no network at all.
const ENDPOINT = 'http://localhost:8081/msi/token';
const settings = {
  kind: 'managed-identity' as const,
  endpoint: ENDPOINT,
  identityHeader: 'the-platform-header',
  clientId: '99999999-8888-4777-8666-555555555555',
  audience: 'api://AzureADTokenExchange',
};
const HOUR = 3_600_000;

const jwt = (n: number) =>
  [{ alg: 'RS256' }, { sub: 'mi', n }, 'sig']
    .map((part) =>
      Buffer.from(typeof part === 'string' ? part : JSON.stringify(part)).toString('base64url'),
    )
    .join('.');

function fakeEndpoint(options: { lifetimeMs?: number; now: () => number }) {
  const calls: { url: string; init: RequestInit }[] = [];
  let answer: (n: number) => Promise<Response> = (n) =>
    Promise.resolve(
      Response.json({
        access_token: jwt(n),
        expires_on: String(Math.floor((options.now() + (options.lifetimeMs ?? HOUR)) / 1000)),
        resource: settings.audience,
        token_type: 'Bearer',
        client_id: settings.clientId,
      }),
    );
  const fetch = (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return answer(calls.length);
  };
  return {
    calls,
    fetch,
    answerWith: (next: (n: number) => Promise<Response>) => {
      answer = next;
    },
  };
}

function sourceWith(options: { lifetimeMs?: number } = {}) {
  let now = 1_800_000_000_000;
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const endpoint = fakeEndpoint({ ...options, now: clock.now });
  const source = new ManagedIdentityToken(settings, {
    fetch: endpoint.fetch,
    now: clock.now,
    timeoutMs: 10_000,
    clockToleranceSeconds: 60,
  });
  return { source, endpoint, clock };
}

async function failureOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('it did not fail');
}

describe('a managed identity token as the client assertion', () => {
  it('asks the identity endpoint, with X-IDENTITY-HEADER, for the token exchange audience', async () => {
    const { source, endpoint } = sourceWith();
    expect(await source.assertion()).toBe(jwt(1));
    const [call] = endpoint.calls;
    const url = new URL(call?.url ?? '');
    expect(`${url.origin}${url.pathname}`).toBe(ENDPOINT);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      resource: 'api://AzureADTokenExchange',
      'api-version': '2019-08-01',
      client_id: settings.clientId,
    });
    expect(call?.init.headers).toMatchObject({ 'X-IDENTITY-HEADER': 'the-platform-header' });
    expect(call?.init.redirect).toBe('error');
  });

  it('keeps the token until five minutes before it expires, then fetches a new one', async () => {
    const { source, endpoint, clock } = sourceWith();
    await source.assertion();
    clock.advance(HOUR - 5 * 60_000 - 1);
    expect(await source.assertion()).toBe(jwt(1));
    expect(endpoint.calls).toHaveLength(1);
    clock.advance(1);
    expect(await source.assertion()).toBe(jwt(2));
    expect(endpoint.calls).toHaveLength(2);
    // Only ever the endpoint it was given: no instance metadata service, no other address.
    expect(endpoint.calls.every((call) => call.url.startsWith(`${ENDPOINT}?`))).toBe(true);
  });

  it('fetches once for requests that arrive together', async () => {
    const { source, endpoint } = sourceWith();
    const tokens = await Promise.all([source.assertion(), source.assertion(), source.assertion()]);
    expect(tokens).toEqual([jwt(1), jwt(1), jwt(1)]);
    expect(endpoint.calls).toHaveLength(1);
  });

  it('uses a short-lived token for half its life', async () => {
    const { source, endpoint, clock } = sourceWith({ lifetimeMs: 4 * 60_000 });
    await source.assertion();
    clock.advance(2 * 60_000 - 1);
    await source.assertion();
    expect(endpoint.calls).toHaveLength(1);
    clock.advance(1);
    await source.assertion();
    expect(endpoint.calls).toHaveLength(2);
  });

  it('says the endpoint did not answer, with the cause and without the header', async () => {
    const { source, endpoint } = sourceWith();
    endpoint.answerWith(() =>
      Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })),
    );
    const failure = await failureOf(source.assertion());
    expect(failure.code).toBe('CLIENT_ASSERTION_UNAVAILABLE');
    expect(failure.message).toBe(
      `The managed identity endpoint ${ENDPOINT} did not answer (connection refused, ECONNREFUSED)`,
    );
    expect(failure.message).not.toContain('the-platform-header');
  });

  it('says what the endpoint answered when it fails', async () => {
    const { source, endpoint } = sourceWith();
    endpoint.answerWith(() =>
      Promise.resolve(
        Response.json(
          { statusCode: 500, message: 'Unable to load the proper Managed Identity.\r\nbad' },
          { status: 500 },
        ),
      ),
    );
    const failure = await failureOf(source.assertion());
    expect(failure.code).toBe('CLIENT_ASSERTION_UNAVAILABLE');
    expect(failure.message).toBe(
      `The managed identity endpoint ${ENDPOINT} answered HTTP 500: Unable to load the proper Managed Identity. bad`,
    );
  });

  it('refuses an answer without a JWT or an expiry', async () => {
    const { source, endpoint } = sourceWith();
    endpoint.answerWith(() => Promise.resolve(Response.json({ access_token: 'opaque' })));
    expect((await failureOf(source.assertion())).message).toContain('answered without a token');
    endpoint.answerWith(() => Promise.resolve(Response.json({ access_token: jwt(9) })));
    expect((await failureOf(source.assertion())).message).toContain('says no end');
  });

  it('fetches again after a failure, and carries over one with the token still good', async () => {
    const { source, endpoint, clock } = sourceWith();
    await source.assertion();
    clock.advance(HOUR - 4 * 60_000);
    endpoint.answerWith(() => Promise.resolve(new Response('', { status: 503 })));
    // Refreshed early on purpose: the token in hand still has four minutes.
    expect(await source.assertion()).toBe(jwt(1));
    clock.advance(3 * 60_000 + 1);
    expect((await failureOf(source.assertion())).code).toBe('CLIENT_ASSERTION_UNAVAILABLE');
    expect(endpoint.calls).toHaveLength(3);
  });

  it('reads an expires_on in the older date format', async () => {
    const { source, endpoint, clock } = sourceWith();
    endpoint.answerWith(() =>
      Promise.resolve(
        Response.json({
          access_token: jwt(1),
          expires_on: new Date(clock.now() + HOUR).toUTCString(),
        }),
      ),
    );
    await source.assertion();
    clock.advance(HOUR - 6 * 60_000);
    await source.assertion();
    expect(endpoint.calls).toHaveLength(1);
  });
});
