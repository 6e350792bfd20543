import { createHash, X509Certificate } from 'node:crypto';
import { importPKCS8 } from 'jose';
import * as oidc from 'openid-client';
import type { ClientAssertionSource } from '../credentials/client-assertion.js';
import type { ClientAuthMethod, OidcSettings } from '../options.js';

/**
 * The client authentication methods the library speaks at the token endpoint;
 * `federated_client_assertion` is a token another issuer signed, sent as the client assertion.
 */
export type UsedClientAuthMethod =
  'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'federated_client_assertion';

/** The client assertion type of RFC 7523 §2.2: a JWT, whoever signed it. */
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * Which method a client secret goes by: the one the settings force, else what the provider's
 * discovery document lists, preferring `client_secret_basic` (the default of OAuth 2.0 and of
 * OpenID Connect Discovery when a provider lists none); Entra lists both.
 *
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata (token_endpoint_auth_methods_supported)
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export function chooseSecretMethod(
  forced: ClientAuthMethod,
  supported: readonly string[] | undefined,
): 'client_secret_basic' | 'client_secret_post' {
  if (forced !== 'auto') return forced;
  if (supported === undefined || supported.includes('client_secret_basic')) {
    return 'client_secret_basic';
  }
  return supported.includes('client_secret_post') ? 'client_secret_post' : 'client_secret_basic';
}

/** The method {@link clientAuthenticationFor} uses with this provider's metadata. */
export function clientAuthMethodFor(
  settings: Pick<OidcSettings, 'clientCertificate' | 'clientAssertion' | 'clientAuthMethod'>,
  metadata: Pick<oidc.ServerMetadata, 'token_endpoint_auth_methods_supported'>,
): UsedClientAuthMethod {
  if (settings.clientAssertion !== null) return 'federated_client_assertion';
  if (settings.clientCertificate !== null) return 'private_key_jwt';
  return chooseSecretMethod(
    settings.clientAuthMethod,
    metadata.token_endpoint_auth_methods_supported,
  );
}

/**
 * How the app proves who it is at the token endpoint: with a secret, by the method
 * {@link chooseSecretMethod} picks from the discovered metadata; or, with a certificate, a
 * client assertion signed with its private key (`private_key_jwt`). The assertion names the
 * certificate by thumbprint (`x5t#S256`, and the older `x5t` that Entra also reads) and is
 * addressed to the token endpoint, which is what Entra expects as `aud`. Or, with a federated
 * credential, the token of `assertions` (the platform's, signed by its issuer) as the assertion.
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow#third-case-access-token-request-with-a-federated-credential
 */
export async function clientAuthenticationFor(
  settings: Pick<
    OidcSettings,
    'clientSecret' | 'clientCertificate' | 'clientAssertion' | 'clientAuthMethod'
  >,
  tokenEndpoint: () => string | undefined,
  assertions: ClientAssertionSource | null = null,
): Promise<oidc.ClientAuth> {
  if (settings.clientAssertion !== null) {
    if (assertions === null) throw new Error('A client assertion source is needed');
    // Asked at each token request: the source decides whether that means a fresh token.
    // openid-client types ClientAuth as returning void, yet awaits it before sending (as its own
    // PrivateKeyJwt, which signs asynchronously, needs).
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- awaited by openid-client, see above
    return async (_as, client, body) => {
      body.set('client_id', client.client_id);
      body.set('client_assertion_type', JWT_BEARER);
      body.set('client_assertion', await assertions.assertion());
    };
  }
  const certificate = settings.clientCertificate;
  if (certificate === null) {
    const basic = oidc.ClientSecretBasic(settings.clientSecret);
    const post = oidc.ClientSecretPost(settings.clientSecret);
    // Chosen at each request, from the metadata openid-client hands over: discovery has run by
    // then, and a provider that changes its document is followed.
    return (as, client, body, headers) =>
      chooseSecretMethod(settings.clientAuthMethod, as.token_endpoint_auth_methods_supported) ===
      'client_secret_basic'
        ? basic(as, client, body, headers)
        : post(as, client, body, headers);
  }
  const der = new X509Certificate(certificate.certificatePem).raw;
  const key = await importPKCS8(certificate.privateKeyPem, 'RS256');
  return oidc.PrivateKeyJwt(key, {
    [oidc.modifyAssertion]: (header, payload) => {
      header['x5t#S256'] = createHash('sha256').update(der).digest('base64url');
      header['x5t'] = createHash('sha1').update(der).digest('base64url');
      // openid-client addresses the assertion to the issuer; for a multi-tenant authority that is
      // the `{tenantid}` template, which no token endpoint accepts.
      const audience = tokenEndpoint();
      if (audience !== undefined) payload['aud'] = audience;
    },
  });
}
