import * as oidc from 'openid-client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { devGraphUrl, type DevIdp } from '../../src/dev-idp/dev-idp.js';
import { callGraph, signInAndRedeem, startProviderWithClient } from './dev-idp-client.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('the development Graph fake', () => {
  let idp: DevIdp;
  let client: oidc.Configuration;
  let alice: string;
  let bob: string;
  beforeAll(async () => {
    ({ idp, client } = await startProviderWithClient());
    alice = (await signInAndRedeem(client)).tokens.access_token;
    bob = (await signInAndRedeem(client, { username: 'bob@contoso.test' })).tokens.access_token;
  });
  afterAll(async () => idp.close());
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is at the provider’s origin, which devGraphUrl gives for its port', () => {
    expect(idp.graphUrl).toBe(`http://127.0.0.1:${idp.port}`);
    expect(devGraphUrl(idp.port)).toBe(idp.graphUrl);
  });

  it('answers /v1.0/me with Alice’s profile, shaped like Graph’s user', async () => {
    const response = await callGraph(idp, '/v1.0/me', alice);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-development-fake')).toMatch(/development fake/);
    expect(await response.json()).toEqual({
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users/$entity',
      businessPhones: [],
      displayName: 'Alice Example',
      givenName: 'Alice',
      jobTitle: 'Product Manager',
      mail: 'alice@contoso.test',
      mobilePhone: '+1 425 555 0101',
      officeLocation: 'Building 4',
      preferredLanguage: 'en-US',
      surname: 'Example',
      userPrincipalName: 'alice@contoso.test',
      id: 'a11ce000-0000-4000-8000-000000000001',
    });
  });

  it('answers Bob’s /v1.0/me with nulls where he has no job title', async () => {
    const me = (await (await callGraph(idp, '/v1.0/me', bob)).json()) as Record<string, unknown>;
    expect(me).toMatchObject({ displayName: 'Bob Example', jobTitle: null, officeLocation: null });
  });

  it('keeps to the properties $select names', async () => {
    const response = await callGraph(idp, '/v1.0/me?$select=displayName,mail', alice);
    expect(await response.json()).toEqual({
      '@odata.context':
        'https://graph.microsoft.com/v1.0/$metadata#users(displayName,mail)/$entity',
      displayName: 'Alice Example',
      mail: 'alice@contoso.test',
    });
  });

  it('serves Alice’s photo as a PNG', async () => {
    const response = await callGraph(idp, '/v1.0/me/photo/$value', alice);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    // IHDR: 96 × 96.
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([96, 96]);
  });

  it('answers 404 ImageNotFound, as Graph does, for Bob who has no photo', async () => {
    const response = await callGraph(idp, '/v1.0/me/photo/$value', bob);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      error: {
        code: 'ImageNotFound',
        message:
          "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.",
      },
    });
  });

  it('answers 401 InvalidAuthenticationToken with a Bearer challenge when there is no token', async () => {
    const response = await callGraph(idp, '/v1.0/me');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    expect(await response.json()).toMatchObject({
      error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty.' },
    });
  });

  it('answers 401 for a token it never issued', async () => {
    const response = await callGraph(idp, '/v1.0/me', 'garbage-token');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    expect(await response.json()).toMatchObject({ error: { code: 'InvalidAuthenticationToken' } });
  });

  it('answers 401 for a token past its hour', async () => {
    const { tokens } = await signInAndRedeem(client);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 3601_000);
    const response = await callGraph(idp, '/v1.0/me', tokens.access_token);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      error: {
        code: 'InvalidAuthenticationToken',
        message: 'Lifetime validation failed, the token is expired.',
      },
    });
  });

  it('gives the client its own token for Graph’s .default, as the doctor asks, but no person’s data', async () => {
    // The doctor asks for {GRAPH_URL}/.default: Graph's own URL, or this fake's.
    for (const graph of ['https://graph.microsoft.com', idp.graphUrl]) {
      const app = await oidc.clientCredentialsGrant(client, { scope: `${graph}/.default` });
      expect(app.token_type.toLowerCase()).toBe('bearer');
      expect((await callGraph(idp, '/v1.0/me', app.access_token)).status).toBe(401);
    }
  });

  it('answers 403 ErrorAccessDenied for /me/messages with a token for User.Read only', async () => {
    const response = await callGraph(idp, '/v1.0/me/messages', alice);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      error: {
        code: 'ErrorAccessDenied',
        message: 'Access is denied. Check credentials and try again.',
      },
    });
  });

  it('answers a Graph-shaped 404 for a path it does not know', async () => {
    const response = await callGraph(idp, '/v1.0/me/calendars', alice);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toMatchObject({
      error: { code: 'NotFound', message: "Resource not found for the segment 'calendars'." },
    });
  });

  it('writes nothing to the logs, tokens included', async () => {
    const stdout = vi.spyOn(process.stdout, 'write');
    const stderr = vi.spyOn(process.stderr, 'write');
    try {
      await callGraph(idp, '/v1.0/me', alice);
      await callGraph(idp, '/v1.0/me', 'garbage-token');
      expect([...stdout.mock.calls, ...stderr.mock.calls]).toEqual([]);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
  });
});
