/** The types of the library's options, before and after {@link resolveOptions} checks them. */
import type { MultiTenantSettings } from './entra/entra-tenant.js';
import type { SessionStore } from './session/session-store.js';

/** A client certificate and its private key, in PEM (a certificate credential, `private_key_jwt`). */
export interface ClientCertificate {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  /** Where it was read from, for messages (set by `fromEnv`). */
  readonly certificateFile?: string | undefined;
}

/**
 * Where the token comes from that the app presents as its client assertion when a federated
 * credential of the registration stands in for a secret (workload identity federation):
 * - a function that resolves to the token (any platform that issues OIDC tokens to workloads);
 * - {@link FederatedTokenFileOption}: a file the platform keeps renewing (AKS workload identity);
 * - {@link ManagedIdentityOption}: a user-assigned managed identity's token (App Service,
 *   Functions, Container Apps).
 *
 * @see https://learn.microsoft.com/entra/workload-id/workload-identity-federation
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2
 */
export type ClientAssertionOption =
  (() => Promise<string>) | FederatedTokenFileOption | ManagedIdentityOption;

/** A token file such as AKS workload identity's `AZURE_FEDERATED_TOKEN_FILE`, read at each use. */
export interface FederatedTokenFileOption {
  readonly kind: 'file';
  readonly path: string;
}

/**
 * A user-assigned managed identity's token for the token exchange audience, from the identity
 * endpoint of App Service, Functions or Container Apps (nothing else is ever asked: not the
 * instance metadata service). Cached until five minutes before it expires.
 *
 * @see https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference
 */
export interface ManagedIdentityOption {
  readonly kind: 'managed-identity';
  /** The platform's `IDENTITY_ENDPOINT`. */
  readonly endpoint: string;
  /** The platform's `IDENTITY_HEADER`, sent as `X-IDENTITY-HEADER`. */
  readonly identityHeader: string;
  /** The client id of the user-assigned managed identity (not its object id). */
  readonly clientId: string;
  /** The token's audience: `api://AzureADTokenExchange`, or the authority's national cloud's. */
  readonly audience?: string | undefined;
}

/** The client assertion's source, resolved. */
export type ClientAssertionSettings =
  | { readonly kind: 'callback'; readonly get: () => Promise<string> }
  | FederatedTokenFileOption
  | (Required<ManagedIdentityOption> & { readonly audience: string });

/** How the client authenticates with a secret at the token endpoint; `auto` follows discovery. */
export type ClientAuthMethod = 'auto' | 'client_secret_basic' | 'client_secret_post';

/** What the options of {@link createEntraSignIn} hold about sessions. */
export interface SessionOptions {
  /** Cookie-signing secrets, at least 32 characters each: the first signs, all verify. */
  readonly secrets: string | readonly string[];
  /**
   * Where sessions live: a {@link SessionStore}, or `memory` (the default), `sqlite:PATH`,
   * `redis://…`/`rediss://…` (opened through `entra-signin/sqlite` and `entra-signin/redis`).
   */
  readonly store?: SessionStore | string | undefined;
  readonly idleTimeoutMs?: number | undefined;
  readonly absoluteTimeoutMs?: number | undefined;
  /** How long a started sign-in may take before its answer is refused as stale. */
  readonly signInTimeoutMs?: number | undefined;
  /** The cookie's name; `entra-signin` (`__Host-entra-signin` over https) by default. */
  readonly cookieName?: string | undefined;
}

/** The development identity provider to sign in through when no tenant is configured. */
export interface DevelopmentProviderOptions {
  readonly port: number;
  /** A JSON file of accounts besides the demo ones. */
  readonly accountsFile?: string | undefined;
}

/** Calling APIs (Microsoft Graph first) as the signed-in person. */
export interface ApiOptions {
  /**
   * The API scopes asked for at sign-in, space-separated (with `offline_access`, so the session
   * keeps a refresh token). `User.Read` (Microsoft Graph) by default for Entra and the development
   * provider, none for other providers; an empty string keeps no API tokens at all.
   */
  readonly scopes?: string | undefined;
  /** Microsoft Graph's origin; that of the authority's cloud by default. */
  readonly graphUrl?: string | undefined;
  /**
   * Keys that encrypt the tokens at rest, at least 32 characters each: the first encrypts, all
   * decrypt (rotation). Derived from the session secrets by default.
   */
  readonly tokenEncryptionKeys?: string | readonly string[] | undefined;
  /**
   * Client capabilities declared to Entra (`xms_cc`); `cp1` by default, which says the app
   * handles Conditional Access claims challenges. An empty list declares none.
   */
  readonly clientCapabilities?: readonly string[] | undefined;
}

/** The options of the library: what `createEntraSignIn` and every adapter take. */
export interface EntraSignInOptions {
  /** The public origin of the app, such as `https://app.example.com` (no path). */
  readonly baseUrl: string;
  /** The OpenID issuer to sign in through; defaults to Entra's for `tenantId`. */
  readonly authority?: string | undefined;
  /** The Entra tenant (Directory id or domain); used when `authority` is not given. */
  readonly tenantId?: string | undefined;
  readonly clientId?: string | undefined;
  readonly clientSecret?: string | undefined;
  readonly clientCertificate?: ClientCertificate | undefined;
  /** A federated credential's token instead of a secret or certificate. */
  readonly clientAssertion?: ClientAssertionOption | undefined;
  readonly clientAuthMethod?: ClientAuthMethod | undefined;
  /** With a multi-tenant authority (`organizations`, `common`): tenant ids allowed in, or `*`. */
  readonly allowedTenants?: string | readonly string[] | undefined;
  /** The scopes asked for at sign-in, space-separated; must include `openid`. */
  readonly scopes?: string | undefined;
  readonly providerTimeoutMs?: number | undefined;
  readonly clockToleranceMs?: number | undefined;
  /** Where the sign-in routes live (`/auth` by default: `/auth/sign_in`, `/auth/redirect`, …). */
  readonly routePrefix?: string | undefined;
  /**
   * Where the "where you're signed in" page lives (`{routePrefix}/sessions` by default), or
   * `false` for none. Its forms post to `{sessionsPage}/end` and `{sessionsPage}/end_others`.
   */
  readonly sessionsPage?: string | false | undefined;
  readonly session: SessionOptions;
  /** Sign in through the development identity provider (no `authority` or `tenantId` then). */
  readonly developmentProvider?: DevelopmentProviderOptions | undefined;
  /** In production the development identity provider is refused and the cookie must be secure. */
  readonly production?: boolean | undefined;
  /** What a guarded route answers to a signed-out visitor: 401 (default) or a redirect to sign in. */
  readonly whenSignedOut?: 'status' | 'redirect' | undefined;
  readonly api?: ApiOptions | undefined;
}

/** How the app talks to its OpenID provider, resolved. */
export interface OidcSettings {
  readonly authority: string;
  readonly clientId: string;
  /** Empty when the app authenticates with a certificate or a federated credential instead. */
  readonly clientSecret: string;
  readonly clientCertificate: ClientCertificate | null;
  readonly clientAssertion: ClientAssertionSettings | null;
  readonly clientAuthMethod: ClientAuthMethod;
  readonly scopes: string;
  readonly timeoutSeconds: number;
  readonly clockToleranceSeconds: number;
  /** Set when the authority is a multi-tenant Entra authority (`organizations`, `common`). */
  readonly multiTenant: MultiTenantSettings | null;
}

/** Sessions, resolved. */
export interface SessionSettings {
  readonly store: SessionStore | string;
  readonly secrets: readonly string[];
  readonly idleTimeoutMs: number;
  readonly absoluteTimeoutMs: number;
  readonly signInTimeoutMs: number;
  readonly cookieName: string;
  readonly secureCookie: boolean;
}

/** API tokens, resolved. */
export interface ApiSettings {
  /** The API scopes asked for at sign-in; empty when the session keeps no API tokens. */
  readonly scopes: readonly string[];
  /** Microsoft Graph's origin, without a trailing slash; empty for a provider other than Entra unless set. */
  readonly graphUrl: string;
  /** The secrets the token encryption keys are derived from (HKDF), first one encrypting. */
  readonly tokenKeys: readonly string[];
  readonly clientCapabilities: readonly string[];
}

/** The development identity provider, resolved. */
export interface DevIdpSettings {
  readonly port: number;
  readonly tenantId: string;
  readonly accountsFile: string | undefined;
}

/** The validated, frozen options. */
export interface ResolvedOptions {
  readonly baseUrl: string;
  readonly routePrefix: string;
  readonly sessionsPage: string | null;
  readonly redirectUri: string;
  readonly postSignOutRedirectUri: string;
  readonly oidc: OidcSettings;
  readonly session: SessionSettings;
  readonly devIdp: DevIdpSettings | null;
  readonly production: boolean;
  readonly whenSignedOut: 'status' | 'redirect';
  readonly api: ApiSettings;
}

/** Names a setting in messages: the option path by default, an environment variable for `fromEnv`. */
export type SettingNamer = (option: string) => string;

/**
 * Options may carry the names their settings go by (`fromEnv` puts its environment variables
 * here), so that a wrong value is reported under the name the person actually set.
 */
