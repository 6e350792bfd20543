import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  calmGraphApiMode,
  FAKE_PROFILE_PHOTO,
  startFakeGraphApi,
  type FakeGraphApi,
} from '../support/fake-graph-api.js';
import type { HostileProvider } from '../support/hostile-provider.js';
import { field, signIn, useProvider } from './provider-by-fetch.js';

describe('the fake Graph API', () => {
  let provider: HostileProvider;
  let graph: FakeGraphApi;
  useProvider((p) => (provider = p));
  beforeAll(async () => {
    graph = await startFakeGraphApi({ provider });
  });
  afterAll(async () => graph.close());
  beforeEach(() => {
    graph.mode = calmGraphApiMode();
  });

  async function accessToken(extra: Record<string, string> = {}): Promise<string> {
    return field(await signIn(provider, extra), 'access_token');
  }

  function get(path: string, token: string | null): Promise<Response> {
    return fetch(`${graph.url}${path}`, {
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(5000),
    });
  }

  async function errorCodeOf(response: Response): Promise<string> {
    const body = (await response.json()) as { error?: { code?: string } };
    return body.error?.code ?? '';
  }

  it('answers /me with the person of a good token', async () => {
    const response = await get('/v1.0/me', await accessToken());
    expect(response.status).toBe(200);
    const me = (await response.json()) as Record<string, unknown>;
    expect(me['id']).toBe(provider.objectId);
    expect(me['displayName']).toBe('Mallory Example');
    expect(me['@odata.context']).toBe('https://graph.microsoft.com/v1.0/$metadata#users/$entity');
  });

  it('refuses a token whose signature is not the provider’s with 401 InvalidAuthenticationToken', async () => {
    const claims = decodeJwt(await accessToken());
    const response = await get('/v1.0/me', await provider.sign(claims, { corruptSignature: true }));
    expect(response.status).toBe(401);
    expect(await errorCodeOf(response)).toBe('InvalidAuthenticationToken');
    expect(response.headers.get('www-authenticate')).not.toContain('insufficient_claims');
  });

  it('refuses an expired token, a token for another audience and no token', async () => {
    provider.bends.expiresIn = -60;
    const expired = await get('/v1.0/me', await accessToken());
    provider.bends = {
      ...provider.bends,
      expiresIn: 3600,
      accessTokenClaims: (c) => ({ ...c, aud: 'api://other' }),
    };
    const otherAudience = await get('/v1.0/me', await accessToken());
    const none = await get('/v1.0/me', null);
    for (const response of [expired, otherAudience, none]) {
      expect(response.status).toBe(401);
      expect(await errorCodeOf(response)).toBe('InvalidAuthenticationToken');
    }
  });

  it('refuses a token signed by a key the provider no longer publishes', async () => {
    const token = await accessToken();
    const withdrawn = provider.keys;
    await provider.addKey({ replace: true });
    try {
      expect((await get('/v1.0/me', token)).status).toBe(401);
    } finally {
      provider.keys = [...withdrawn, ...provider.keys];
    }
  });

  it('answers the photo as a PNG, or 404 ImageNotFound for a person without one', async () => {
    const token = await accessToken();
    const photo = await get('/v1.0/me/photo/$value', token);
    expect(photo.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await photo.arrayBuffer());
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'));
    expect(bytes).toEqual(FAKE_PROFILE_PHOTO);
    graph.mode.photo = false;
    const none = await get('/v1.0/me/photo/$value', token);
    expect(none.status).toBe(404);
    expect(await errorCodeOf(none)).toBe('ImageNotFound');
  });

  it('answers the messages only to a token with Mail.Read, a page at a time', async () => {
    const withoutMail = await get('/v1.0/me/messages', await accessToken());
    expect(withoutMail.status).toBe(403);
    const token = await accessToken({ scope: 'openid offline_access User.Read Mail.Read' });
    const page = await get('/v1.0/me/messages?$top=2', token);
    expect(page.status).toBe(200);
    const body = (await page.json()) as { value: unknown[]; '@odata.nextLink'?: string };
    expect(body.value).toHaveLength(2);
    expect(body['@odata.nextLink']?.startsWith(`${graph.url}/v1.0/me/messages?`)).toBe(true);
    const last = (await (
      await get(body['@odata.nextLink']?.slice(graph.url.length) ?? '', token)
    ).json()) as { value: unknown[]; '@odata.nextLink'?: string };
    expect(last.value).toHaveLength(1);
    expect(last['@odata.nextLink']).toBeUndefined();
  });

  it('challenges for an authentication context until the token carries it', async () => {
    graph.mode.challenge = { acrs: 'c1' };
    const challenged = await get('/v1.0/me', await accessToken());
    expect(challenged.status).toBe(401);
    expect(challenged.headers.get('www-authenticate')).toBe(
      'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19"',
    );
    const claims = JSON.stringify({ access_token: { acrs: { essential: true, value: 'c1' } } });
    const stepped = await get('/v1.0/me', await accessToken({ claims }));
    expect(stepped.status).toBe(200);
  });

  it('throttles the next requests with 429 and Retry-After, then answers', async () => {
    const token = await accessToken();
    graph.mode.throttle = 2;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await get('/v1.0/me', token);
      statuses.push(response.status);
      if (response.status === 429) {
        expect(response.headers.get('retry-after')).toBe('1');
        expect(await errorCodeOf(response)).toBe('TooManyRequests');
      }
    }
    expect(statuses).toEqual([429, 429, 200]);
  });

  it('answers the status it is told to, with a Graph error', async () => {
    graph.mode.status = 503;
    const response = await get('/v1.0/me', await accessToken());
    expect(response.status).toBe(503);
    expect(await errorCodeOf(response)).toBe('serviceNotAvailable');
  });

  it('drops connections while down, and records which tokens reached it', async () => {
    const token = await accessToken();
    graph.mode.down = true;
    await expect(get('/v1.0/me', token)).rejects.toThrow();
    expect(graph.requests.at(-1)).toEqual({
      method: 'GET',
      path: '/v1.0/me',
      authorization: `Bearer ${token}`,
    });
  });
});
