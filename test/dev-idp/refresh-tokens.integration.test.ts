import * as oidc from 'openid-client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DevIdp } from '../../src/dev-idp/dev-idp.js';
import { UserAgent } from '../support/user-agent.js';
import {
  authorize,
  callGraph,
  redeemCode,
  SIGN_IN_SCOPES,
  signInAndRedeem,
  startProviderWithClient,
} from './dev-idp-client.js';

const DAY_MS = 24 * 3600 * 1000;

describe('refresh tokens at the development identity provider', () => {
  let idp: DevIdp;
  let client: oidc.Configuration;
  beforeAll(async () => {
    ({ idp, client } = await startProviderWithClient());
  });
  afterAll(async () => idp.close());
  afterEach(() => {
    vi.useRealTimers();
  });

  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('The refresh was not refused');
      },
      (error: unknown) => {
        if (!(error instanceof oidc.ResponseBodyError)) throw error;
        return error;
      },
    );

  it('gives a refresh token and a User.Read access token for offline_access, without prompt=consent', async () => {
    const { tokens } = await signInAndRedeem(client);
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(tokens.scope?.split(' ')).toContain('User.Read');
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.claims()?.['preferred_username']).toBe('alice@contoso.test');
  });

  it('gives a refresh token with prompt=login too, which oidc-provider alone would not', async () => {
    const agent = new UserAgent();
    const authorization = await authorize(agent, client, {
      scope: SIGN_IN_SCOPES,
      prompt: 'login',
    });
    expect((await redeemCode(client, authorization)).refresh_token).toEqual(expect.any(String));
  });

  it('gives no refresh token when offline_access was not asked for', async () => {
    const { tokens } = await signInAndRedeem(client, { scope: 'openid profile User.Read' });
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.access_token).toEqual(expect.any(String));
  });

  it('refreshes with a new access token and a new refresh token, and then refuses the old one', async () => {
    const { tokens } = await signInAndRedeem(client);
    const first = tokens.refresh_token ?? '';
    const refreshed = await oidc.refreshTokenGrant(client, first, {
      scope: 'openid offline_access User.Read',
    });
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).toEqual(expect.any(String));
    expect(refreshed.refresh_token).not.toBe(first);
    expect(refreshed.scope).toBe('User.Read');
    // With openid, an ID token about the same person, as OpenID Connect Core §12.2 has it.
    expect(refreshed.claims()?.sub).toBe(tokens.claims()?.sub);
    expect((await callGraph(idp, '/v1.0/me', refreshed.access_token)).status).toBe(200);

    const reused = await refusal(oidc.refreshTokenGrant(client, first));
    expect(reused.error).toBe('invalid_grant');
  });

  it('revokes the whole grant when a spent refresh token comes back (RFC 9700 §4.14.2)', async () => {
    const { tokens } = await signInAndRedeem(client);
    const first = tokens.refresh_token ?? '';
    const refreshed = await oidc.refreshTokenGrant(client, first, { scope: 'User.Read' });
    await refusal(oidc.refreshTokenGrant(client, first));
    const second = await refusal(oidc.refreshTokenGrant(client, refreshed.refresh_token ?? ''));
    expect(second.error).toBe('invalid_grant');
    expect((await callGraph(idp, '/v1.0/me', refreshed.access_token)).status).toBe(401);
  });

  it('refuses a refresh token that is not one', async () => {
    const refused = await refusal(oidc.refreshTokenGrant(client, 'not-a-refresh-token'));
    expect(refused.error).toBe('invalid_grant');
  });

  it('refuses a refresh token after its 14 days', async () => {
    const { tokens } = await signInAndRedeem(client);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 14 * DAY_MS + 60_000);
    const refused = await refusal(oidc.refreshTokenGrant(client, tokens.refresh_token ?? ''));
    expect(refused.error).toBe('invalid_grant');
  });

  it('still refreshes a refresh token on its thirteenth day', async () => {
    const { tokens } = await signInAndRedeem(client);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 13 * DAY_MS);
    const refreshed = await oidc.refreshTokenGrant(client, tokens.refresh_token ?? '', {
      scope: 'User.Read offline_access',
    });
    expect(refreshed.scope).toBe('User.Read');
  });

  it('refuses a refresh for Mail.Read before consent, as Entra does (AADSTS65001), and keeps the token usable', async () => {
    const { tokens } = await signInAndRedeem(client);
    const refused = await refusal(
      oidc.refreshTokenGrant(client, tokens.refresh_token ?? '', {
        scope: 'openid offline_access Mail.Read',
      }),
    );
    expect(refused.status).toBe(400);
    expect(refused.error).toBe('invalid_grant');
    expect(refused.error_description).toMatch(
      /^AADSTS65001: The user or administrator has not consented to use the application with ID 'graph-app'/,
    );
    expect(refused.cause).toMatchObject({ suberror: 'consent_required', error_codes: [65001] });

    // The refusal spent nothing: the same refresh token still redeems for what was consented.
    const refreshed = await oidc.refreshTokenGrant(client, tokens.refresh_token ?? '', {
      scope: 'User.Read',
    });
    expect(refreshed.scope).toBe('User.Read');
  });

  it('answers invalid_scope for a scope it does not know at all', async () => {
    const { tokens } = await signInAndRedeem(client);
    const refused = await refusal(
      oidc.refreshTokenGrant(client, tokens.refresh_token ?? '', { scope: 'Calendars.Read' }),
    );
    expect(refused.error).toBe('invalid_scope');
  });
});
