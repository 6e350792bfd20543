import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevIdp } from '../../src/dev-idp/dev-idp.js';
import {
  CONTOSO_STAFF,
  ENGINEERING,
  NUMBERED_GROUPS,
  PRODUCT_MANAGEMENT,
} from '../../src/dev-idp/directory-groups.js';
import {
  callGraph,
  consentAndRedeem,
  postGraph,
  signInAndRedeem,
  SIGN_IN_SCOPES,
  startProviderWithClient,
} from './dev-idp-client.js';

const MEMBER_OBJECTS = '/v1.0/me/getMemberObjects';
const ALL_GROUPS = JSON.stringify({ securityEnabledOnly: false });
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('the development Graph fake’s memberships and groups', () => {
  let idp: DevIdp;
  let client: oidc.Configuration;
  let alice: string;
  let bob: string;
  let carol: string;
  let groupReader: string;
  const memberObjectsOf = async (token: string) =>
    (
      (await (await postGraph(idp, MEMBER_OBJECTS, token, ALL_GROUPS)).json()) as {
        value: string[];
      }
    ).value;
  beforeAll(async () => {
    ({ idp, client } = await startProviderWithClient());
    const token = async (username: string) =>
      (await signInAndRedeem(client, { username })).tokens.access_token;
    [alice, bob, carol] = (await Promise.all(
      ['alice@contoso.test', 'bob@contoso.test', 'carol@contoso.test'].map(token),
    )) as [string, string, string];
    groupReader = (
      await consentAndRedeem(client, { scope: `${SIGN_IN_SCOPES} GroupMember.Read.All` })
    ).access_token;
  });
  afterAll(async () => idp.close());

  it('answers getMemberObjects with Carol’s 250 group ids, shaped like Graph’s string collection', async () => {
    const response = await postGraph(idp, MEMBER_OBJECTS, carol, ALL_GROUPS);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-development-fake')).toMatch(/development fake/);
    const body = (await response.json()) as { '@odata.context': string; value: string[] };
    expect(body['@odata.context']).toBe(
      'https://graph.microsoft.com/v1.0/$metadata#Collection(Edm.String)',
    );
    expect(body.value).toHaveLength(250);
    expect(new Set(body.value).size).toBe(250);
    expect(body.value.every((id) => GUID.test(id))).toBe(true);
    expect(body.value).toEqual(expect.arrayContaining([CONTOSO_STAFF.id, ENGINEERING.id]));
  });

  it('answers getMemberObjects with Alice’s three groups, those of her ID token', async () => {
    expect(await memberObjectsOf(alice)).toEqual([
      ENGINEERING.id,
      CONTOSO_STAFF.id,
      PRODUCT_MANAGEMENT.id,
    ]);
  });

  it('answers getMemberObjects with no ids for Bob, who is in no group', async () => {
    expect(await memberObjectsOf(bob)).toEqual([]);
  });

  it('answers the same for securityEnabledOnly true: every development group is a security group', async () => {
    const response = await postGraph(idp, MEMBER_OBJECTS, alice, '{"securityEnabledOnly":true}');
    expect(((await response.json()) as { value: string[] }).value).toHaveLength(3);
  });

  it('answers Carol’s numbered groups with the ids the directory derives for them', async () => {
    const ids = await memberObjectsOf(carol);
    expect(ids).toEqual(expect.arrayContaining(NUMBERED_GROUPS.map((g) => g.id)));
  });

  it('refuses getMemberObjects with 403 Authorization_RequestDenied for a token without User.Read', async () => {
    const consented = await consentAndRedeem(client, {
      scope: 'openid profile email offline_access Mail.Read',
    });
    const mailOnly = await oidc.refreshTokenGrant(client, consented.refresh_token ?? '', {
      scope: 'openid offline_access Mail.Read',
    });
    expect(mailOnly.scope).toBe('Mail.Read');
    const response = await postGraph(idp, MEMBER_OBJECTS, mailOnly.access_token, ALL_GROUPS);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      error: {
        code: 'Authorization_RequestDenied',
        message: 'Insufficient privileges to complete the operation.',
      },
    });
  });

  it('answers 401 for getMemberObjects without a token', async () => {
    const response = await fetch(`${idp.graphUrl}${MEMBER_OBJECTS}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: ALL_GROUPS,
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'InvalidAuthenticationToken' } });
  });

  it('answers a Graph-shaped 400 for a body without securityEnabledOnly', async () => {
    for (const body of ['{}', '{"securityEnabledOnly":"yes"}', '[]', 'null']) {
      const response = await postGraph(idp, MEMBER_OBJECTS, alice, body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        error: {
          code: 'Request_BadRequest',
          message:
            "Invalid value for the parameter 'securityEnabledOnly': it must be true or false.",
        },
      });
    }
  });

  it('answers a Graph-shaped 400 for a body that is not JSON, or not sent as JSON', async () => {
    const cases: [string, string][] = [
      ['{"securityEnabledOnly":', 'application/json'],
      [ALL_GROUPS, 'text/plain'],
    ];
    for (const [body, type] of cases) {
      const response = await postGraph(idp, MEMBER_OBJECTS, alice, body, type);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        error: {
          code: 'BadRequest',
          message:
            'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
        },
      });
    }
  });

  it('answers 405 for a GET of getMemberObjects, which is a POST action', async () => {
    const response = await callGraph(idp, MEMBER_OBJECTS, alice);
    expect(response.status).toBe(405);
    expect(await response.json()).toMatchObject({ error: { code: 'Request_BadRequest' } });
  });

  it('names a group with GroupMember.Read.All, as $select=id,displayName asks', async () => {
    const response = await callGraph(
      idp,
      `/v1.0/groups/${ENGINEERING.id}?$select=id,displayName`,
      groupReader,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('x-development-fake')).toMatch(/development fake/);
    expect(await response.json()).toEqual({
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#groups(id,displayName)/$entity',
      id: ENGINEERING.id,
      displayName: 'Engineering',
    });
  });

  it('names every group of Carol’s, numbered ones as “Group n”', async () => {
    const ids = await memberObjectsOf(carol);
    const names = await Promise.all(
      ids.map(async (id) => {
        const response = await callGraph(
          idp,
          `/v1.0/groups/${id}?$select=displayName`,
          groupReader,
        );
        return ((await response.json()) as { displayName?: string }).displayName;
      }),
    );
    expect(names).toContain('Contoso Staff');
    expect(names).toContain('Group 17');
    expect(names).toContain('Group 248');
    expect(names.every((name) => typeof name === 'string')).toBe(true);
  });

  it('refuses to name a group with 403 Authorization_RequestDenied for a token with User.Read only', async () => {
    const response = await callGraph(idp, `/v1.0/groups/${ENGINEERING.id}`, alice);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      error: { code: 'Authorization_RequestDenied' },
    });
  });

  it('answers 404 Request_ResourceNotFound for a group the tenant does not have', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const response = await callGraph(idp, `/v1.0/groups/${id}`, groupReader);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      error: {
        code: 'Request_ResourceNotFound',
        message: `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
      },
    });
  });

  it('answers 400 for a group id that is not a GUID', async () => {
    const response = await callGraph(idp, '/v1.0/groups/engineering', groupReader);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { code: 'Request_BadRequest', message: "Invalid object identifier 'engineering'." },
    });
  });
});
