import * as oidc from 'openid-client';
import { isLoopbackHost, type OidcSettings } from '../config.js';
import { translateProviderError } from './translate-provider-error.js';

/**
 * The app's link to its OpenID provider: discovers the provider's metadata on first use (not at
 * start-up, so the app starts even while the provider is down), keeps it, and tries again on the
 * next sign-in after a failure.
 */
export class ProviderConnection {
  readonly settings: OidcSettings;
  #configuration: Promise<oidc.Configuration> | null = null;

  constructor(settings: OidcSettings) {
    this.settings = settings;
  }

  /** The discovered client configuration; rejects with `AUTH_PROVIDER_UNREACHABLE` on failure. */
  configuration(): Promise<oidc.Configuration> {
    this.#configuration ??= this.#discover().catch((error: unknown) => {
      this.#configuration = null;
      throw translateProviderError(error);
    });
    return this.#configuration;
  }

  async #discover(): Promise<oidc.Configuration> {
    const { authority, clientId, clientSecret, timeoutSeconds, clockToleranceSeconds } =
      this.settings;
    const issuer = new URL(authority);
    // openid-client trusts TLS to vouch for the token endpoint's answers; we want the ID token's
    // signature checked against the provider's published keys as well (with key rotation).
    const execute = [oidc.enableNonRepudiationChecks];
    // Plain http only ever reaches a provider on this machine (the config refuses it elsewhere).
    if (issuer.protocol === 'http:' && isLoopbackHost(issuer.hostname)) {
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- flagged so that it is seen; used for loopback only
      execute.push(oidc.allowInsecureRequests);
    }
    return oidc.discovery(
      issuer,
      clientId,
      { client_secret: clientSecret, [oidc.clockTolerance]: clockToleranceSeconds },
      oidc.ClientSecretPost(clientSecret),
      { execute, timeout: timeoutSeconds },
    );
  }
}
