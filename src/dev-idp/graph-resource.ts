/**
 * The development fake of Microsoft Graph as a resource of the development identity provider:
 * where it is, which scopes it knows and how the consent page words them. No oidc-provider here,
 * so that the core can import {@link devGraphUrl} without loading the provider.
 */

/**
 * The development Graph fake's URL (and resource identifier, as `https://graph.microsoft.com` is
 * Graph's) for a development identity provider on this port (and loopback address): its origin,
 * with no path.
 */
export function devGraphUrl(port: number, host = '127.0.0.1'): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * The delegated permissions the Graph fake knows, worded as Entra's consent page words them.
 * @see https://learn.microsoft.com/graph/permissions-reference
 */
export const GRAPH_SCOPES: Readonly<Record<string, string>> = Object.freeze({
  'User.Read': 'Sign you in and read your profile',
  'Mail.Read': 'Read your mail',
  'GroupMember.Read.All': 'Read group memberships',
});

/**
 * What the tenant's administrator consented to for the app, so nobody is asked: the sign-in
 * scopes, a refresh token, and Graph's `User.Read` (as Entra apps are registered by default).
 */
export const IMPLIED_OIDC_SCOPES = 'openid profile email offline_access';
export const IMPLIED_GRAPH_SCOPES = 'User.Read';

const OIDC_SCOPE_WORDING: Readonly<Record<string, string>> = {
  openid: 'Sign you in',
  profile: 'View your basic profile',
  email: 'View your email address',
  offline_access: 'Maintain access to data you have given it access to',
};

/** How the consent page words a scope. */
export function describeScope(scope: string): string {
  return GRAPH_SCOPES[scope] ?? OIDC_SCOPE_WORDING[scope] ?? scope;
}

/** Access tokens live an hour, as Entra's do by default. */
const GRAPH_ACCESS_TOKEN_TTL = 3600;

/** The Graph fake as oidc-provider's resource server (RFC 8707), with opaque access tokens. */
export function graphResourceServer(resource: string) {
  return {
    scope: Object.keys(GRAPH_SCOPES).join(' '),
    audience: resource,
    accessTokenTTL: GRAPH_ACCESS_TOKEN_TTL,
    accessTokenFormat: 'opaque' as const,
  };
}
