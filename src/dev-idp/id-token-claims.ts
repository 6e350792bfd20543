/**
 * The claims of a development account as Entra's v2.0 ID tokens carry them: the identity, the
 * app roles, and the groups or, past the 200 a JWT lists, the groups overage marker.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/id-token-claims-reference
 * @see https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference#groups-overage-claim
 */
import type { AccountClaims } from 'oidc-provider';
import type { DevAccount } from './accounts.js';
import { JWT_GROUPS_LIMIT } from './directory-groups.js';

/** The claims `findAccount` offers, per scope; oidc-provider keeps those of the granted scopes. */
export const ID_TOKEN_CLAIMS = Object.freeze({
  openid: ['sub', 'oid', 'tid', 'ver', 'roles', 'groups'],
  profile: ['name', 'preferred_username'],
  email: ['email'],
});

/** Where Entra's overage marker sends the app for the person's groups. */
export function groupsOverageEndpoint(tenantId: string, oid: string): string {
  // Entra still writes the Azure AD Graph URL here, not Microsoft Graph's; apps are told to call
  // Microsoft Graph's /me/getMemberObjects (or /users/{oid}/…) instead of following it.
  return `https://graph.windows.net/${tenantId}/users/${oid}/getMemberObjects`;
}

/** What `findAccount`'s `claims()` answers for this account in this tenant. */
export function idTokenClaimsOf(account: DevAccount, tenantId: string): AccountClaims {
  const groups = account.groups ?? [];
  return {
    sub: account.oid,
    oid: account.oid,
    tid: tenantId,
    ver: '2.0',
    name: account.name,
    preferred_username: account.username,
    email: account.email,
    // Entra leaves a claim out rather than send an empty list.
    ...(account.roles?.length ? { roles: [...account.roles] } : {}),
    ...(groups.length > 0 && groups.length <= JWT_GROUPS_LIMIT ? { groups: [...groups] } : {}),
    // A distributed claim (OpenID Connect Core §5.6.2): oidc-provider keeps `_claim_names` and
    // `_claim_sources` for the claims it keeps, so the marker goes wherever `groups` would.
    ...(groups.length > JWT_GROUPS_LIMIT
      ? {
          _claim_names: { groups: 'src1' },
          _claim_sources: { src1: { endpoint: groupsOverageEndpoint(tenantId, account.oid) } },
        }
      : {}),
  };
}
