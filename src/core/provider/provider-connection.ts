import { createRemoteJWKSet, customFetch as joseCustomFetch, type JWTVerifyGetKey } from 'jose';
import * as oidc from 'openid-client';
import { isLoopbackHost } from '../loopback.js';
import type { OidcSettings } from '../options.js';
import { AppError } from '../errors.js';
import { isTenantAllowed } from '../entra/entra-tenant.js';
import {
  clientAssertionSourceFor,
  type ClientAssertionSource,
} from '../credentials/client-assertion-source.js';
import { checkDiscoveredIssuer } from './discovered-issuer.js';
import {
  clientAuthenticationFor,
  clientAuthMethodFor,
  type UsedClientAuthMethod,
} from './client-authentication.js';
import { translateProviderError } from './translate-provider-error.js';

/** How the app reaches its provider: the platform's `fetch` unless a test routes it elsewhere. */
export type ProviderFetch = (url: string, init: RequestInit) => Promise<Response>;

// openid-client fills Entra's `{tenantid}` issuer template (from the ID token's `tid`) only for a
// configuration it discovered from this origin: see `handleEntraId` and `kEntraId` in its source.
const ENTRA_GLOBAL_ORIGIN = 'https://login.microsoftonline.com';

// How long fetched logout-token keys are trusted, and the least time between two fetches caused
// by an unknown `kid`: a forged token cannot make us hammer the provider.
const LOGOUT_KEYS_MAX_AGE_MS = 10 * 60_000;
const LOGOUT_KEYS_COOLDOWN_MS = 60_000;

/** How long a failed discovery is remembered before the provider is asked again. */
export const DISCOVERY_RETRY_AFTER_MS = 5_000;

/**
 * The app's link to its OpenID provider: discovers the provider's metadata on first use (not at
 * start-up, so the app starts even while the provider is down), keeps it, and tries again on the
 * next sign-in after a failure.
 */
export class ProviderConnection {
  readonly settings: OidcSettings;
  readonly #fetch: ProviderFetch;
  readonly #now: () => number;
  #configuration: Promise<oidc.Configuration> | null = null;
  #failedUntil = 0;
  #logoutKeys: JWTVerifyGetKey | null = null;
  readonly #assertions: ClientAssertionSource | null;

  constructor(
    settings: OidcSettings,
    options: { fetch?: ProviderFetch | undefined; now?: (() => number) | undefined } = {},
  ) {
    this.settings = settings;
    this.#fetch = options.fetch ?? ((url, init) => fetch(url, init));
    this.#now = options.now ?? Date.now;
    this.#assertions =
      settings.clientAssertion === null
        ? null
        : clientAssertionSourceFor(settings.clientAssertion, {
            fetch: this.#fetch,
            now: this.#now,
            timeoutMs: settings.timeoutSeconds * 1000,
            clockToleranceSeconds: settings.clockToleranceSeconds,
          });
  }

  /**
   * The discovered client configuration; rejects with `AUTH_PROVIDER_UNREACHABLE` (or
   * `AUTH_DISCOVERY_INVALID`) on failure. A failure is remembered for
   * {@link DISCOVERY_RETRY_AFTER_MS}: a provider that is down is not asked again by every request.
   */
  configuration(): Promise<oidc.Configuration> {
    if (this.#configuration === null && this.#now() < this.#failedUntil && this.#lastFailure) {
      return Promise.reject(this.#lastFailure);
    }
    this.#configuration ??= this.#discover().catch((error: unknown) => {
      this.#configuration = null;
      this.#failedUntil = this.#now() + DISCOVERY_RETRY_AFTER_MS;
      this.#lastFailure = translateProviderError(error);
      throw this.#lastFailure;
    });
    return this.#configuration;
  }

  #lastFailure: AppError | null = null;
  #discovered = false;

  /** Whether the provider's metadata is loaded (for readiness checks); never fetches. */
  get isDiscovered(): boolean {
    return this.#discovered;
  }

  /** The client authentication method used at the token endpoint, once discovered. */
  async clientAuthMethod(): Promise<UsedClientAuthMethod> {
    return clientAuthMethodFor(this.settings, (await this.configuration()).serverMetadata());
  }

  /**
   * Whether an issuer named outside a token (the RFC 9207 `iss` response parameter, the `iss` of
   * a front-channel logout) is this provider: the discovered issuer, or for a multi-tenant
   * authority the cloud's template filled with an allowed tenant.
   *
   * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
   */
  async acceptsIssuer(iss: string): Promise<boolean> {
    const { multiTenant } = this.settings;
    if (multiTenant === null) return iss === (await this.configuration()).serverMetadata().issuer;
    const prefix = `${multiTenant.cloudOrigin}/`;
    const tid = iss.startsWith(prefix) && iss.endsWith('/v2.0') ? iss.slice(prefix.length, -5) : '';
    return /^[0-9a-f-]{36}$/.test(tid) && isTenantAllowed(tid, multiTenant.allowedTenants);
  }

  /** The provider's signing keys for tokens we verify ourselves (logout tokens), with caching. */
  async logoutTokenKeys(): Promise<JWTVerifyGetKey> {
    if (this.#logoutKeys) return this.#logoutKeys;
    const jwksUri = (await this.configuration()).serverMetadata().jwks_uri;
    if (jwksUri === undefined) {
      throw new AppError('AUTH_DISCOVERY_INVALID', 'The discovery document has no jwks_uri');
    }
    this.#logoutKeys = createRemoteJWKSet(new URL(jwksUri), {
      timeoutDuration: this.settings.timeoutSeconds * 1000,
      cooldownDuration: LOGOUT_KEYS_COOLDOWN_MS,
      cacheMaxAge: LOGOUT_KEYS_MAX_AGE_MS,
      [joseCustomFetch]: (url, init) => this.#fetch(url, init),
    });
    return this.#logoutKeys;
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
    const { server, fetch } = this.#discoveryRoute(issuer);
    // Assertions are only made for grants, after discovery has filled this in.
    const discovered: { tokenEndpoint?: string | undefined } = {};
    const clientAuth = await clientAuthenticationFor(
      this.settings,
      () => discovered.tokenEndpoint,
      this.#assertions,
    );
    const configuration = await oidc.discovery(
      server,
      clientId,
      {
        ...(clientSecret === '' ? {} : { client_secret: clientSecret }),
        [oidc.clockTolerance]: clockToleranceSeconds,
      },
      clientAuth,
      { execute, timeout: timeoutSeconds, [oidc.customFetch]: fetch },
    );
    discovered.tokenEndpoint = configuration.serverMetadata().token_endpoint;
    checkDiscoveredIssuer(configuration.serverMetadata().issuer, issuer, this.settings.multiTenant);
    this.#failedUntil = 0;
    this.#discovered = true;
    return configuration;
  }

  // For a multi-tenant authority in another cloud (US Government, China), openid-client is asked
  // to discover the same path on the global origin, and that one request is routed to the
  // configured cloud: so it applies its `{tenantid}` handling, while the document, its endpoints
  // and keys are the configured cloud's (checkDiscoveredIssuer then insists on that cloud).
  #discoveryRoute(authority: URL): { server: URL; fetch: oidc.CustomFetch } {
    const send: oidc.CustomFetch = (url, init) => this.#fetch(url, init as RequestInit);
    const cloud = this.settings.multiTenant?.cloudOrigin;
    if (cloud === undefined || cloud === ENTRA_GLOBAL_ORIGIN)
      return { server: authority, fetch: send };
    const aliased = new URL(authority.pathname, ENTRA_GLOBAL_ORIGIN);
    const discoveryUrl = `${aliased.href.replace(/\/$/, '')}/.well-known/openid-configuration`;
    return {
      server: aliased,
      fetch: (url, init) =>
        send(url === discoveryUrl ? cloud + url.slice(ENTRA_GLOBAL_ORIGIN.length) : url, init),
    };
  }
}
