import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevIdp } from '../../src/dev-idp/dev-idp.js';
import { UserAgent } from '../support/user-agent.js';
import {
  answerPage,
  authorize,
  callGraph,
  redeemCode,
  REDIRECT_URI,
  SIGN_IN_SCOPES,
  signInAndRedeem,
  startProviderWithClient,
} from './dev-idp-client.js';

const ACCEPT = 0;
const CANCEL = 1;
// An incremental consent as the library asks it: the sign-in scopes and only the new API scope.
const MAIL_SCOPES = 'openid profile email offline_access Mail.Read';

describe('consent at the development identity provider, as Entra’s incremental consent', () => {
  let idp: DevIdp;
  let client: oidc.Configuration;
  beforeAll(async () => {
    ({ idp, client } = await startProviderWithClient());
  });
  afterAll(async () => idp.close());

  it('asks nothing at sign-in for the scopes the administrator consented to', async () => {
    const agent = new UserAgent();
    const signedIn = await authorize(agent, client, { scope: SIGN_IN_SCOPES });
    expect(signedIn.arrival.callback?.searchParams.get('code')).toEqual(expect.any(String));
  });

  it('takes a signed-in person asking for Mail.Read straight to the consent page', async () => {
    const { agent } = await signInAndRedeem(client);
    const asked = await authorize(agent, client, { scope: MAIL_SCOPES });
    const page = asked.arrival.page;
    expect(page?.status).toBe(200);
    expect(page?.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${idp.port}/interaction/`));
    expect(page?.body).toContain('<html lang="en">');
    expect(page?.body).toContain('Entra signin dev app wants to:');
    expect(page?.body).toContain('Read your mail (<code>Mail.Read</code>)');
    expect(page?.body).toContain('Signed in as <strong>alice@contoso.test</strong>');
    // Only what is new is asked: User.Read was consented for the tenant.
    expect(page?.body).not.toContain('User.Read');
    expect(page?.body).not.toContain('<script');
  });

  it('asks for consent after the sign-in form when the first request asks for Mail.Read', async () => {
    const asked = await authorize(new UserAgent(), client, {
      scope: `${SIGN_IN_SCOPES} Mail.Read`,
    });
    expect(asked.arrival.page?.body).toContain('Read your mail (<code>Mail.Read</code>)');
  });

  it('adds Mail.Read to the grant on Accept: the refresh for Mail.Read works and messages come back', async () => {
    const { agent } = await signInAndRedeem(client);
    const accepted = await answerPage(
      agent,
      await authorize(agent, client, { scope: MAIL_SCOPES }),
      ACCEPT,
    );
    const tokens = await redeemCode(client, accepted);
    const refreshed = await oidc.refreshTokenGrant(client, tokens.refresh_token ?? '', {
      scope: 'openid offline_access Mail.Read',
    });
    expect(refreshed.scope).toBe('Mail.Read');
    const response = await callGraph(idp, '/v1.0/me/messages', refreshed.access_token);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { value: Record<string, unknown>[] };
    expect(body.value).toHaveLength(3);
    // Newest first, with the fields of Graph's message the fake knows.
    const [newest] = body.value;
    expect(Object.keys(newest ?? {}).sort()).toEqual([
      'bodyPreview',
      'from',
      'id',
      'receivedDateTime',
      'subject',
    ]);
    expect(newest).toMatchObject({
      subject: 'Roadmap review moved to Thursday',
      from: { emailAddress: { name: 'Bob Example', address: 'bob@contoso.test' } },
      receivedDateTime: '2025-03-04T16:05:00Z',
    });
  });

  it('lets every refresh token of the person redeem for a scope consented later, as Entra’s do', async () => {
    const { agent, tokens: signIn } = await signInAndRedeem(client);
    const consented = await redeemCode(
      client,
      await answerPage(agent, await authorize(agent, client, { scope: MAIL_SCOPES }), ACCEPT),
    );
    // The sign-in's refresh token, from before the consent, now redeems for Mail.Read…
    const mail = await oidc.refreshTokenGrant(client, signIn.refresh_token ?? '', {
      scope: 'Mail.Read offline_access',
    });
    expect(mail.scope).toBe('Mail.Read');
    // …and the consent's, which asked only Mail.Read, still for User.Read.
    const profile = await oidc.refreshTokenGrant(client, consented.refresh_token ?? '', {
      scope: 'User.Read offline_access',
    });
    expect((await callGraph(idp, '/v1.0/me', profile.access_token)).status).toBe(200);
  });

  it('lists as many messages as $top says', async () => {
    const { agent } = await signInAndRedeem(client);
    const tokens = await redeemCode(
      client,
      await answerPage(agent, await authorize(agent, client, { scope: MAIL_SCOPES }), ACCEPT),
    );
    const response = await callGraph(idp, '/v1.0/me/messages?$top=1', tokens.access_token);
    const body = (await response.json()) as { value: unknown[]; '@odata.nextLink'?: string };
    expect(body.value).toHaveLength(1);
    expect(body['@odata.nextLink']).toContain('%24skip=1');
  });

  it('lists no messages for Bob, who has no mail', async () => {
    const { agent } = await signInAndRedeem(client, { username: 'bob@contoso.test' });
    const tokens = await redeemCode(
      client,
      await answerPage(agent, await authorize(agent, client, { scope: MAIL_SCOPES }), ACCEPT),
    );
    const response = await callGraph(idp, '/v1.0/me/messages', tokens.access_token);
    expect(await response.json()).toMatchObject({ value: [] });
  });

  it('ends the authorization with access_denied at the redirect URI on Cancel, and grants nothing', async () => {
    const { agent, tokens } = await signInAndRedeem(client);
    const cancelled = await answerPage(
      agent,
      await authorize(agent, client, { scope: MAIL_SCOPES }),
      CANCEL,
    );
    const callback = cancelled.arrival.callback;
    expect(callback?.href.startsWith(REDIRECT_URI)).toBe(true);
    expect(callback?.searchParams.get('error')).toBe('access_denied');
    expect(callback?.searchParams.get('error_description')).toMatch(/^AADSTS65004:/);
    expect(callback?.searchParams.get('state')).toBe(cancelled.state);

    await expect(
      oidc.refreshTokenGrant(client, tokens.refresh_token ?? '', { scope: 'Mail.Read' }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
