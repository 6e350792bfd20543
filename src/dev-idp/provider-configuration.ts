import { generateKeyPairSync, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { errors, type Configuration } from 'oidc-provider';
import type { DevAccount } from './accounts.js';
import type { DevIdpOptions, DevSigningKey } from './dev-idp-options.js';
import { graphResourceServer } from './graph-resource.js';
import {
  issueRefreshTokenLikeEntra,
  loadImpliedGrant,
  rotateRefreshTokenLikeEntra,
} from './grants.js';
import { ID_TOKEN_CLAIMS, idTokenClaimsOf } from './id-token-claims.js';
import { renderErrorPage, renderLoggedOutPage, renderLogoutPage } from './pages.js';

/** Refresh tokens live 14 days, as Entra's do for a web app when unused (90 days if used). */
const REFRESH_TOKEN_TTL = 14 * 24 * 3600;

/** The app's name at the provider, shown on the consent page. */
export const DEFAULT_CLIENT_NAME = 'Entra signin dev app';

/**
 * oidc-provider's configuration for the development identity provider: one client, Entra's
 * ID token claims, consent as an administrator gave it for the tenant, and the Graph fake
 * (`graphResource`) as the one resource its access tokens are for.
 */
export function providerConfiguration(
  options: DevIdpOptions,
  accounts: readonly DevAccount[],
  graphResource: string,
): Configuration {
  const signingKey = { ...(options.signingKey ?? generateSigningKey()), alg: 'RS256', use: 'sig' };
  return {
    clients: [
      {
        client_id: options.clientId,
        client_name: options.clientName ?? DEFAULT_CLIENT_NAME,
        ...clientAuthenticationOf(options),
        redirect_uris: [...options.redirectUris],
        post_logout_redirect_uris: [...options.postLogoutRedirectUris],
        response_types: ['code'],
        // client_credentials lets `npm run doctor` check the client's credentials the way it
        // checks them against Entra (a token request for https://graph.microsoft.com/.default).
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        id_token_signed_response_alg: 'RS256',
      },
    ],
    jwks: { keys: [signingKey] },
    ...(options.clientAuthMethods === undefined
      ? {}
      : { clientAuthMethods: [...options.clientAuthMethods, 'private_key_jwt'] }),
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    // Entra's v2.0 ID tokens carry these; we put them in the ID token, not only in userinfo.
    claims: {
      openid: [...ID_TOKEN_CLAIMS.openid],
      profile: [...ID_TOKEN_CLAIMS.profile],
      email: [...ID_TOKEN_CLAIMS.email],
    },
    conformIdTokenClaims: false,
    findAccount: (_ctx, id) => {
      const account = accounts.find((a) => a.oid === id);
      if (!account) return undefined;
      return { accountId: id, claims: () => idTokenClaimsOf(account, options.tenantId) };
    },
    loadExistingGrant: loadImpliedGrant(graphResource),
    issueRefreshToken: issueRefreshTokenLikeEntra,
    rotateRefreshToken: rotateRefreshTokenLikeEntra(graphResource),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // As with Entra, where `User.Read` means Microsoft Graph without a resource parameter:
      // every token request is for the Graph fake unless it names a resource (none other exists).
      resourceIndicators: {
        enabled: true,
        defaultResource: () => graphResource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== graphResource) throw new errors.InvalidTarget();
          return graphResourceServer(graphResource);
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.type = 'html';
          ctx.body = renderLogoutPage(form, ctx.host);
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.type = 'html';
          ctx.body = renderLoggedOutPage();
        },
      },
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = renderErrorPage(out.error, out.error_description);
    },
    ttl: {
      AccessToken: 3600,
      ClientCredentials: 600,
      IdToken: 3600,
      Interaction: 3600,
      Session: 86400,
      RefreshToken: REFRESH_TOKEN_TTL,
      // A refresh token cannot outlive its grant.
      Grant: REFRESH_TOKEN_TTL,
    },
  };
}

/** A new RSA key (2048 bits, as Entra's) to sign ID tokens with, as a private JWK. */
export function generateSigningKey(): DevSigningKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID() };
}

function clientAuthenticationOf(options: DevIdpOptions): Record<string, unknown> {
  if (options.clientCertificatePem === undefined) {
    return {
      client_secret: options.clientSecret,
      token_endpoint_auth_method: options.clientAuthMethods?.[0] ?? 'client_secret_post',
    };
  }
  const publicKey = new X509Certificate(options.clientCertificatePem).publicKey;
  return {
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'RS256',
    jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig' }] },
  };
}
