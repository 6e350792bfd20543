import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { HostileProvider } from '../support/hostile-provider.js';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  field,
  refresh,
  signIn,
  useProvider,
  type TokenAnswer,
} from './provider-by-fetch.js';

describe('the hostile provider, for tokens to call APIs with', () => {
  let provider: HostileProvider;
  useProvider((p) => (provider = p));

  async function verified(token: string) {
    const keys = createLocalJWKSet({ keys: provider.keys.map((k) => k.jwk) });
    return (await jwtVerify(token, keys, { issuer: provider.issuer })).payload;
  }

  async function signedIn(): Promise<TokenAnswer> {
    const answer = await signIn(provider);
    expect(answer.status).toBe(200);
    return answer;
  }

  describe('the code grant', () => {
    it('answers a sign-in that asks offline_access with a refresh token and a JWT access token for Graph', async () => {
      const answer = await signedIn();
      expect(field(answer, 'refresh_token')).toMatch(/^refresh-/);
      expect(answer.body['expires_in']).toBe(3600);
      expect(field(answer, 'scope').split(' ')).toContain('User.Read');
      const accessToken = field(answer, 'access_token');
      expect(decodeProtectedHeader(accessToken)).toMatchObject({ alg: 'RS256', typ: 'JWT' });
      const claims = await verified(accessToken);
      expect(claims).toMatchObject({
        aud: 'https://graph.microsoft.com',
        iss: provider.issuer,
        sub: 'hostile-subject-1',
        oid: provider.objectId,
        tid: provider.tenantId,
        scp: 'User.Read',
      });
      expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);
      expect(claims.nbf).toBe(claims.iat);
      expect(claims['acrs']).toBeUndefined();
    });

    it('hands out no refresh token without offline_access when told to play Entra', async () => {
      provider.bends.refreshTokenWithoutOfflineAccess = false;
      const answer = await signIn(provider, { scope: 'openid profile' });
      expect(answer.status).toBe(200);
      expect(answer.body['refresh_token']).toBeUndefined();
      expect(field(answer, 'access_token')).toMatch(/^access-/);
    });

    it('records every authorization request and token request as sent', async () => {
      const claims = JSON.stringify({
        access_token: { xms_cc: { values: ['cp1'] }, acrs: { essential: true, value: 'c1' } },
      });
      await signIn(provider, { claims, login_hint: 'mallory@contoso.example' });
      const asked = provider.authorizationRequests.at(-1);
      expect(asked?.get('claims')).toBe(claims);
      expect(asked?.get('login_hint')).toBe('mallory@contoso.example');
      expect(asked?.get('scope')).toBe('openid profile email offline_access User.Read');
      expect(provider.tokenRequests.at(-1)?.get('grant_type')).toBe('authorization_code');
    });

    it('puts the authentication contexts and capabilities the claims parameter asks into the access token', async () => {
      const claims = JSON.stringify({
        access_token: {
          xms_cc: { values: ['cp1'] },
          acrs: { essential: true, values: ['c1', 'c2'] },
        },
      });
      const answer = await signIn(provider, { claims });
      const payload = decodeJwt(field(answer, 'access_token'));
      expect(payload['acrs']).toEqual(['c1', 'c2']);
      expect(payload['xms_cc']).toEqual(['cp1']);
    });

    it('lets a test bend the lifetime of the access token', async () => {
      provider.bends.expiresIn = 60;
      const answer = await signedIn();
      expect(answer.body['expires_in']).toBe(60);
      const payload = decodeJwt(field(answer, 'access_token'));
      expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(60);
    });
  });

  describe('the refresh grant', () => {
    it('redeems a refresh token for new tokens about the same person, and counts it', async () => {
      const first = await signedIn();
      const before = provider.hits.refresh;
      const answer = await refresh(provider, field(first, 'refresh_token'));
      expect(answer.status).toBe(200);
      expect(provider.hits.refresh).toBe(before + 1);
      expect(field(answer, 'refresh_token')).not.toBe(field(first, 'refresh_token'));
      expect((await verified(field(answer, 'access_token')))['scp']).toBe('User.Read');
      const idToken = await verified(field(answer, 'id_token'));
      const original = decodeJwt(field(first, 'id_token'));
      expect(idToken).toMatchObject({ sub: original.sub, aud: CLIENT_ID, iss: provider.issuer });
      expect(idToken.nonce).toBeUndefined();
      expect(original.nonce).toBeTypeOf('string');
      expect(provider.issuedTokens.slice(-3)).toEqual([
        field(answer, 'id_token'),
        field(answer, 'access_token'),
        field(answer, 'refresh_token'),
      ]);
    });

    it('refuses a refresh token once redeemed, while its successor works', async () => {
      const first = field(await signedIn(), 'refresh_token');
      const next = field(await refresh(provider, first), 'refresh_token');
      const replay = await refresh(provider, first);
      expect(replay.status).toBe(400);
      expect(replay.body['error']).toBe('invalid_grant');
      expect(field(replay, 'error_description')).toMatch(/^AADSTS70000: /);
      expect(provider.refreshTokenState(first)).toBe('spent');
      expect((await refresh(provider, next)).status).toBe(200);
    });

    it('keeps the old refresh token good, and sends none, with rotation off', async () => {
      provider.bends.refreshRotation = 'none';
      const token = field(await signedIn(), 'refresh_token');
      const answer = await refresh(provider, token);
      expect(answer.body['refresh_token']).toBeUndefined();
      expect((await refresh(provider, token)).status).toBe(200);
    });

    it('refuses API scopes not consented with Entra’s AADSTS65001, and grants them once consented', async () => {
      const token = field(await signedIn(), 'refresh_token');
      const refused = await refresh(provider, token, { scope: 'Mail.Read offline_access' });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({
        error: 'invalid_grant',
        suberror: 'consent_required',
        error_codes: [65001],
      });
      expect(field(refused, 'error_description')).toMatch(
        /^AADSTS65001: The user or administrator has not consented to use the application with ID 'self-test-client'/,
      );
      provider.consentedScopes.add('Mail.Read');
      const granted = await refresh(provider, token, { scope: 'Mail.Read offline_access' });
      expect(decodeJwt(field(granted, 'access_token'))['scp']).toBe('Mail.Read');
    });

    it('takes the scopes an authorization request asked as consented', async () => {
      await signIn(provider, {
        scope: 'openid offline_access https://graph.microsoft.com/Mail.Read',
      });
      expect([...provider.consentedScopes].sort()).toEqual(['Mail.Read', 'User.Read']);
    });

    it('refuses a client that does not authenticate', async () => {
      const token = field(await signedIn(), 'refresh_token');
      const answer = await refresh(provider, token, { client_secret: `${CLIENT_SECRET}-wrong` });
      expect(answer.status).toBe(401);
      expect(answer.body['error']).toBe('invalid_client');
      expect(provider.refreshTokenState(token)).toBe('live');
    });

    it('refuses revoked refresh tokens with AADSTS50173', async () => {
      const token = field(await signedIn(), 'refresh_token');
      provider.revokeRefreshTokens();
      const answer = await refresh(provider, token);
      expect(answer.body).toMatchObject({ error: 'invalid_grant', error_codes: [50173] });
    });

    it('carries the authentication context a refresh asks for into the access token', async () => {
      const token = field(await signedIn(), 'refresh_token');
      const claims = JSON.stringify({ access_token: { acrs: { essential: true, value: 'c1' } } });
      const answer = await refresh(provider, token, { claims });
      expect(decodeJwt(field(answer, 'access_token'))['acrs']).toEqual(['c1']);
    });
  });

  describe('the refresh bends', () => {
    it('answers 500 with server-error', async () => {
      const token = field(await signedIn(), 'refresh_token');
      provider.bends.refresh = 'server-error';
      const answer = await refresh(provider, token);
      expect(answer.status).toBe(500);
      expect(answer.body['error']).toBe('server_error');
    });

    it('answers Entra’s invalid_grant for the AADSTS code chosen', async () => {
      const token = field(await signedIn(), 'refresh_token');
      provider.bends.refresh = 'invalid_grant';
      provider.bends.refreshAadsts = '70043';
      const answer = await refresh(provider, token);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({
        error: 'invalid_grant',
        error_codes: [70043],
        suberror: 'bad_token',
      });
      expect(field(answer, 'error_description')).toMatch(
        /^AADSTS70043: The refresh token has expired or is invalid due to sign-in frequency checks by conditional access\. .*\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/s,
      );
      expect(field(answer, 'trace_id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(provider.refreshTokenState(token)).toBe('live');
    });

    it('answers with an ID token about someone else with other-sub', async () => {
      const token = field(await signedIn(), 'refresh_token');
      provider.bends.refresh = 'other-sub';
      const answer = await refresh(provider, token);
      expect(answer.status).toBe(200);
      const claims = await verified(field(answer, 'id_token'));
      expect(claims.sub).not.toBe('hostile-subject-1');
      expect(claims.aud).toBe(CLIENT_ID);
    });

    it('answers with an ID token for another client with other-aud', async () => {
      const token = field(await signedIn(), 'refresh_token');
      provider.bends.refresh = 'other-aud';
      const claims = decodeJwt(field(await refresh(provider, token), 'id_token'));
      expect(claims.aud).not.toBe(CLIENT_ID);
      expect(claims.sub).toBe('hostile-subject-1');
    });

    it('answers without an ID token with no-id-token', async () => {
      const token = field(await signedIn(), 'refresh_token');
      provider.bends.refresh = 'no-id-token';
      const answer = await refresh(provider, token);
      expect(answer.status).toBe(200);
      expect(answer.body['id_token']).toBeUndefined();
      expect(field(answer, 'access_token')).toBeTruthy();
    });

    it('never answers with hang, until the provider closes', async () => {
      const own = await HostileProvider.start({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
      const token = field(await signIn(own), 'refresh_token');
      own.bends.refresh = 'hang';
      const pending = refresh(own, token);
      const outcome = await Promise.race([
        pending.then(
          () => 'answered',
          () => 'failed',
        ),
        new Promise((resolve) => setTimeout(() => resolve('still waiting'), 300)),
      ]);
      expect(outcome).toBe('still waiting');
      await own.close();
      await expect(pending).rejects.toThrow();
    });
  });
});
