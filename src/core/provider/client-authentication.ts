import { createHash, X509Certificate } from 'node:crypto';
import { importPKCS8 } from 'jose';
import * as oidc from 'openid-client';
import type { OidcSettings } from '../../app/config.js';

/**
 * How the app proves who it is at the token endpoint: `client_secret_post` with CLIENT_SECRET,
 * or, with a certificate, a client assertion signed with its private key (`private_key_jwt`).
 * The assertion names the certificate by thumbprint (`x5t#S256`, and the older `x5t` that Entra
 * also reads) and is addressed to the token endpoint, which is what Entra expects as `aud`.
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export async function clientAuthenticationFor(
  settings: Pick<OidcSettings, 'clientSecret' | 'clientCertificate'>,
  tokenEndpoint: () => string | undefined,
): Promise<oidc.ClientAuth> {
  const certificate = settings.clientCertificate;
  if (certificate === null) return oidc.ClientSecretPost(settings.clientSecret);
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
