import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import {
  bendsFree,
  entraTokenError,
  type ProviderBends,
  type RefreshOutcome,
  type SignedJwt,
} from './hostile-provider-bends.js';

export type {
  EntraErrorCode,
  ProviderBends,
  RefreshOutcome,
  RefreshRotation,
} from './hostile-provider-bends.js';

/** A signing key the provider holds, with its public JWK as published. */
export interface ProviderKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}

/** What the provider was asked, counted per endpoint (tests assert on re-fetch rates). */
export interface ProviderHits {
  discovery: number;
  jwks: number;
  /** Every token request, whatever its grant. */
  token: number;
  /** The token requests with `grant_type=refresh_token`. */
  refresh: number;
}

interface PendingCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly nonce: string | null;
  readonly codeChallenge: string | null;
  readonly scopes: readonly string[];
  /** The `claims` request parameter (OpenID Connect Core §5.5), as sent. */
  readonly claims: string | null;
}

/** A refresh token the provider handed out, and the grant it stands for. */
interface IssuedRefreshToken {
  readonly clientId: string;
  /** The sign-in's ID token claims, as signed: a refresh speaks of the same person. */
  readonly idTokenClaims: JWTPayload;
  /** The API scopes of the grant, for a refresh that names none (RFC 6749 §6). */
  readonly scopes: readonly string[];
  readonly issuedAt: Date;
  state: RefreshTokenState;
}

/** `spent`: redeemed while rotation was on; `revoked`: by {@link HostileProvider.revokeRefreshTokens}. */
export type RefreshTokenState = 'live' | 'spent' | 'revoked';

// The scopes of the sign-in itself; every other scope is one for the API.
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

export interface HostileProviderOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  /**
   * The origin the provider claims in its documents and tokens (default: the one it listens on).
   * With a Microsoft origin, reach it through {@link fakeMicrosoftHostsFetch}.
   */
  readonly publicOrigin?: string;
  /** The tenant segment of its paths (`organizations` to emulate Entra's multi-tenant authority). */
  readonly tenant?: string;
  /** The issuer in its discovery document (default `{publicOrigin}/{tenant}/v2.0`). */
  readonly issuer?: string;
  /** The `aud` of the access tokens it issues (default `https://graph.microsoft.com`). */
  readonly apiAudience?: string;
  /** The `tid` of the access tokens, unless the ID token has one (default: a random UUID). */
  readonly tenantId?: string;
}

/**
 * An OpenID provider for tests whose every answer can be bent per test (`provider.bends`):
 * discovery, keys, authorization response, token response, ID token. It approves every
 * authorization request at once (no login form) by redirecting back with `code` and `state`.
 * A real HTTP server on loopback, signing real RS256 tokens with `jose`; it checks the client
 * secret and the PKCE verifier as a real provider would, and nothing else.
 *
 * Shaped like Entra for APIs: a sign-in that asks `offline_access` or API scopes (`User.Read`,
 * `https://graph.microsoft.com/Mail.Read`) gets a JWT access token for {@link apiAudience} and a
 * refresh token; `grant_type=refresh_token` redeems it (rotating it, by default), refusing API
 * scopes not in {@link consentedScopes} with Entra's AADSTS65001.
 *
 * @see https://openid.net/certification/connect_rp_testing/ (the RP tests it lets us write)
 */
export class HostileProvider {
  readonly options: HostileProviderOptions;
  readonly origin: string;
  readonly publicOrigin: string;
  readonly tenant: string;
  readonly issuer: string;
  readonly apiAudience: string;
  readonly tenantId: string;
  /** The `oid` of the access tokens, unless the ID token has one. */
  readonly objectId: string = randomUUID();
  bends: ProviderBends = bendsFree();
  keys: ProviderKey[] = [];
  hits: ProviderHits = { discovery: 0, jwks: 0, token: 0, refresh: 0 };
  /**
   * Every token the provider handed out (tests look for them where they must not be), in the
   * order ID, access, refresh token of each token response.
   */
  readonly issuedTokens: string[] = [];
  /** The query of every authorization request, in order. */
  readonly authorizationRequests: URLSearchParams[] = [];
  /** The form of every token request, in order. */
  readonly tokenRequests: URLSearchParams[] = [];
  /**
   * The API scopes the person has consented to. An authorization request adds the ones it asks
   * (the consent prompt this provider skips is taken as accepted); a refresh asking any other
   * is refused with AADSTS65001.
   */
  readonly consentedScopes = new Set<string>(['User.Read']);
  readonly #server: Server;
  readonly #codes = new Map<string, PendingCode>();
  readonly #refreshTokens = new Map<string, IssuedRefreshToken>();

  private constructor(server: Server, options: HostileProviderOptions) {
    this.#server = server;
    this.options = options;
    const { port } = server.address() as AddressInfo;
    this.origin = `http://127.0.0.1:${port}`;
    this.publicOrigin = options.publicOrigin ?? this.origin;
    this.tenant = options.tenant ?? 'hostile-tenant';
    this.issuer = options.issuer ?? `${this.publicOrigin}/${this.tenant}/v2.0`;
    this.apiAudience = options.apiAudience ?? 'https://graph.microsoft.com';
    this.tenantId = options.tenantId ?? randomUUID();
  }

  /** Starts a provider on a free loopback port (or `port`), with one signing key. */
  static async start(options: HostileProviderOptions, port = 0): Promise<HostileProvider> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const provider = new HostileProvider(server, options);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      provider.#handle(request, response).catch((error: unknown) => {
        response.statusCode = 500;
        response.end(String(error));
      });
    });
    await provider.addKey();
    return provider;
  }

  /** The authority the app is configured with. */
  get authority(): string {
    return `${this.publicOrigin}/${this.tenant}/v2.0`;
  }

  /** Adds a new RS256 signing key; with `replace`, the old ones are withdrawn (key rotation). */
  async addKey(options: { replace?: boolean; alg?: 'RS256' | 'ES256' } = {}): Promise<ProviderKey> {
    const alg = options.alg ?? 'RS256';
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const kid = randomUUID();
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg };
    const key = { kid, privateKey, jwk };
    this.keys = options.replace === true ? [key] : [...this.keys, key];
    return key;
  }

  /** The claims of an ID token for this provider, before any bend. */
  idTokenClaims(pending: { clientId: string; nonce: string | null }): JWTPayload {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: this.issuer,
      sub: 'hostile-subject-1',
      aud: pending.clientId,
      iat: now,
      exp: now + 3600,
      ...(pending.nonce === null ? {} : { nonce: pending.nonce }),
      name: 'Mallory Example',
      sid: 'provider-session-1',
    };
  }

  /**
   * Signs a JWT with the provider's newest key, or as `signing` says. `kid: null` leaves the
   * header without `kid`.
   */
  async sign(payload: JWTPayload, signing: SignedJwt = {}): Promise<string> {
    const key = signing.key ?? this.keys.at(-1);
    if (!key) throw new Error('The hostile provider has no key');
    if (signing.alg === 'none') {
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      return `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
    }
    const kid = signing.kid === null ? {} : { kid: signing.kid ?? key.kid };
    const jwt = await new SignJWT(payload)
      .setProtectedHeader({ alg: key.jwk.alg ?? 'RS256', typ: signing.typ ?? 'JWT', ...kid })
      .sign(key.privateKey);
    if (signing.corruptSignature !== true) return jwt;
    // Flip bits in the middle of the signature: same length, valid base64url, wrong signature.
    const [head, body, signature = ''] = jwt.split('.');
    const middle = Math.floor(signature.length / 2);
    const flipped = signature[middle] === 'A' ? 'B' : 'A';
    return `${head}.${body}.${signature.slice(0, middle)}${flipped}${signature.slice(middle + 1)}`;
  }

  /** Revokes every refresh token handed out so far, as a password reset does (AADSTS50173). */
  revokeRefreshTokens(): void {
    for (const issued of this.#refreshTokens.values()) issued.state = 'revoked';
  }

  /** What became of a refresh token (`undefined`: not one this provider issued). */
  refreshTokenState(token: string): RefreshTokenState | undefined {
    return this.#refreshTokens.get(token)?.state;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.origin);
    const path = url.pathname;
    const discovery = path.endsWith('/.well-known/openid-configuration');
    const jwks = path.endsWith('/discovery/v2.0/keys');
    if ((discovery && this.bends.unreachable.discovery) || (jwks && this.bends.unreachable.jwks)) {
      request.socket.destroy();
      return;
    }
    if (discovery) {
      this.hits.discovery += 1;
      return this.#answer(response, this.bends.discovery(this.#discoveryDocument()));
    }
    if (jwks) {
      this.hits.jwks += 1;
      return this.#answer(response, this.bends.jwks({ keys: this.keys.map((k) => k.jwk) }));
    }
    if (path.endsWith('/oauth2/v2.0/authorize')) return this.#authorize(url, response);
    if (path.endsWith('/oauth2/v2.0/token') && request.method === 'POST') {
      const form = await readForm(request);
      this.hits.token += 1;
      if (form.get('grant_type') === 'refresh_token') this.hits.refresh += 1;
      this.tokenRequests.push(form);
      return this.#token(form, response);
    }
    if (path.endsWith('/oauth2/v2.0/logout')) {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('signed out at the provider');
      return;
    }
    response.writeHead(404).end();
  }

  #discoveryDocument(): Record<string, unknown> {
    const base = `${this.publicOrigin}/${this.tenant}`;
    return {
      issuer: this.issuer,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      token_endpoint: `${base}/oauth2/v2.0/token`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      response_types_supported: ['code'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'profile', 'email'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_post'],
      frontchannel_logout_supported: true,
      backchannel_logout_supported: true,
    };
  }

  #authorize(url: URL, response: ServerResponse): void {
    const query = url.searchParams;
    this.authorizationRequests.push(new URLSearchParams(query));
    const redirectUri = query.get('redirect_uri') ?? '';
    const code = randomBytes(24).toString('base64url');
    const scopes = (query.get('scope') ?? '').split(' ').filter(Boolean);
    for (const scope of this.#apiScopesOf(scopes)) this.consentedScopes.add(scope);
    this.#codes.set(code, {
      clientId: query.get('client_id') ?? '',
      redirectUri,
      nonce: query.get('nonce'),
      codeChallenge: query.get('code_challenge'),
      scopes,
      claims: query.get('claims'),
    });
    const answer = new URLSearchParams({ code, state: query.get('state') ?? '' });
    const target = new URL(redirectUri);
    target.search = this.bends.authorization(answer).toString();
    response.writeHead(302, { location: target.href }).end();
  }

  async #token(form: URLSearchParams, response: ServerResponse): Promise<void> {
    const bent = this.bends.tokenEndpoint();
    if (bent === 'hang') return; // never answers; the connection closes with the server
    if (bent !== null) return this.#answer(response, bent.body, bent.status);
    if (form.get('grant_type') === 'refresh_token') return this.#refreshGrant(form, response);
    const pending = this.#codes.get(form.get('code') ?? '');
    this.#codes.delete(form.get('code') ?? '');
    if (form.get('client_secret') !== this.options.clientSecret) {
      return this.#answer(response, { error: 'invalid_client' }, 401);
    }
    const verifier = form.get('code_verifier') ?? '';
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    if (!pending || pending.codeChallenge !== challenge) {
      return this.#answer(response, { error: 'invalid_grant' }, 400);
    }
    const claims = this.bends.idTokenClaims(this.idTokenClaims(pending));
    const idToken = await this.sign(claims, this.bends.idTokenSigning);
    const offline = pending.scopes.includes('offline_access');
    const apiScopes = this.#apiScopesOf(pending.scopes);
    // Without API scopes there is no API to address a JWT to: an opaque token, as before.
    const accessToken =
      offline || apiScopes.length > 0
        ? await this.#accessToken(claims, apiScopes, pending.claims)
        : `access-${randomBytes(24).toString('base64url')}`;
    const refreshToken =
      offline || this.bends.refreshTokenWithoutOfflineAccess
        ? this.#issueRefreshToken({ clientId: pending.clientId, idTokenClaims: claims, apiScopes })
        : undefined;
    // In this order, which suites rely on: `issuedTokens.slice(-3)` is one sign-in's tokens.
    this.issuedTokens.push(
      idToken,
      accessToken,
      ...(refreshToken === undefined ? [] : [refreshToken]),
    );
    return this.#answer(response, {
      token_type: 'Bearer',
      expires_in: this.bends.expiresIn,
      scope: grantedScope(pending.scopes, apiScopes),
      access_token: accessToken,
      ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
      id_token: idToken,
    });
  }

  /**
   * `grant_type=refresh_token` (RFC 6749 §6), with Entra's errors: the client authenticated as
   * for the code grant, the refresh token one it issued to that client and still live, every API
   * scope asked consented.
   */
  async #refreshGrant(form: URLSearchParams, response: ServerResponse): Promise<void> {
    if (form.get('client_secret') !== this.options.clientSecret) {
      return this.#answer(response, { error: 'invalid_client' }, 401);
    }
    const outcome = this.bends.refresh;
    if (outcome === 'hang') return; // never answers; the connection closes with the server
    if (this.bends.refreshDelayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.bends.refreshDelayMs));
    }
    const issued = this.#refreshTokens.get(form.get('refresh_token') ?? '');
    const clientId = form.get('client_id') ?? this.options.clientId;
    const context = { clientId, issuedAt: (issued?.issuedAt ?? new Date()).toISOString() };
    const refuse = (code: string, status = 400) =>
      this.#answer(response, entraTokenError(code, context), status);
    if (outcome === 'server-error') return refuse('50000', 500);
    if (outcome === 'invalid_grant') return refuse(this.bends.refreshAadsts ?? '700082');
    if (issued?.state === 'revoked') return refuse('50173');
    if (issued?.state !== 'live' || issued.clientId !== clientId) return refuse('70000');
    const asked = this.#apiScopesOf((form.get('scope') ?? '').split(' ').filter(Boolean));
    const apiScopes = asked.length > 0 ? asked : [...issued.scopes];
    if (apiScopes.some((scope) => !this.consentedScopes.has(scope))) return refuse('65001');
    const rotation = this.bends.refreshRotation;
    const refreshToken =
      rotation === 'none'
        ? undefined
        : this.#issueRefreshToken({
            ...issued,
            apiScopes: [...new Set([...issued.scopes, ...apiScopes])],
          });
    if (rotation === 'rotate') issued.state = 'spent';
    const accessToken = await this.#accessToken(
      issued.idTokenClaims,
      apiScopes,
      form.get('claims'),
    );
    const idToken =
      outcome === 'no-id-token' ? undefined : await this.#refreshedIdToken(issued, outcome);
    this.issuedTokens.push(
      ...(idToken === undefined ? [] : [idToken]),
      accessToken,
      ...(refreshToken === undefined ? [] : [refreshToken]),
    );
    return this.#answer(response, {
      token_type: 'Bearer',
      expires_in: this.bends.expiresIn,
      scope: grantedScope((form.get('scope') ?? '').split(' '), apiScopes),
      access_token: accessToken,
      ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
      ...(idToken === undefined ? {} : { id_token: idToken }),
    });
  }

  /**
   * The ID token of a refresh: the sign-in's claims with a fresh `iat` and no `nonce`
   * (OpenID Connect Core §12.2), then `outcome`'s bend and `refreshIdTokenClaims`.
   */
  async #refreshedIdToken(issued: IssuedRefreshToken, outcome: RefreshOutcome): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims: JWTPayload = { ...issued.idTokenClaims, iat: now, exp: now + 3600 };
    delete claims.nonce;
    if (outcome === 'other-sub') claims.sub = `${String(claims.sub)}-someone-else`;
    if (outcome === 'other-aud') claims.aud = 'another-client-id';
    return this.sign(this.bends.refreshIdTokenClaims(claims), this.bends.idTokenSigning);
  }

  /**
   * An access token for {@link apiAudience}, about the person of `idTokenClaims`, carrying the
   * `acrs` (authentication contexts) and `xms_cc` (client capabilities) that `claims` asked for
   * the access token.
   *
   * @see https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference
   */
  async #accessToken(
    idTokenClaims: JWTPayload,
    scopes: readonly string[],
    claims: string | null,
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const acrs = askedOfAccessToken(claims, 'acrs');
    const capabilities = askedOfAccessToken(claims, 'xms_cc');
    const payload: JWTPayload = {
      aud: this.apiAudience,
      iss: this.issuer,
      ...(idTokenClaims.sub === undefined ? {} : { sub: idTokenClaims.sub }),
      oid: idTokenClaims['oid'] ?? this.objectId,
      tid: idTokenClaims['tid'] ?? this.tenantId,
      azp: Array.isArray(idTokenClaims.aud) ? idTokenClaims.aud[0] : idTokenClaims.aud,
      scp: scopes.join(' '),
      iat: now,
      nbf: now,
      exp: now + this.bends.expiresIn,
      ...(acrs.length === 0 ? {} : { acrs }),
      ...(capabilities.length === 0 ? {} : { xms_cc: capabilities }),
    };
    return this.sign(this.bends.accessTokenClaims(payload));
  }

  #issueRefreshToken(grant: {
    clientId: string;
    idTokenClaims: JWTPayload;
    apiScopes: readonly string[];
  }): string {
    const token = `refresh-${randomBytes(24).toString('base64url')}`;
    this.#refreshTokens.set(token, {
      clientId: grant.clientId,
      idTokenClaims: grant.idTokenClaims,
      scopes: grant.apiScopes,
      issuedAt: new Date(),
      state: 'live',
    });
    return token;
  }

  /**
   * The API scopes among `scopes`, short-named (`https://graph.microsoft.com/Mail.Read` is
   * `Mail.Read`); `.default` stands for every scope consented, as in Entra.
   */
  #apiScopesOf(scopes: readonly string[]): string[] {
    const prefix = `${this.apiAudience}/`;
    const named = scopes
      .filter((scope) => !OIDC_SCOPES.has(scope))
      .map((scope) => (scope.startsWith(prefix) ? scope.slice(prefix.length) : scope));
    return [...new Set(named.flatMap((s) => (s === '.default' ? [...this.consentedScopes] : [s])))];
  }

  #answer(response: ServerResponse, body: unknown, status = 200): void {
    response
      .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(JSON.stringify(body));
  }
}

/** The `scope` of a token response: the API scopes granted and the OpenID ones asked. */
function grantedScope(asked: readonly string[], apiScopes: readonly string[]): string {
  const oidc = asked.filter((scope) => OIDC_SCOPES.has(scope) && scope !== 'offline_access');
  return [...apiScopes, ...oidc].join(' ');
}

/**
 * The values a `claims` request parameter asks of one access token claim, as `value` or
 * `values` (OpenID Connect Core §5.5.1); none for a parameter that is not such JSON.
 */
function askedOfAccessToken(claims: string | null, name: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(claims ?? '{}');
  } catch {
    return [];
  }
  const request = memberOf(memberOf(parsed, 'access_token'), name);
  const values = memberOf(request, 'values');
  const listed: unknown[] = Array.isArray(values) ? values : [memberOf(request, 'value')];
  return listed.filter((value): value is string => typeof value === 'string');
}

function memberOf(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[name]
    : undefined;
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** Microsoft's cloud origins, which tests cannot reach. */
const MICROSOFT_ORIGINS = [
  'https://login.microsoftonline.com',
  'https://login.microsoftonline.us',
  'https://login.partner.microsoftonline.cn',
];

/**
 * A fake `fetch` that sends requests for Microsoft's cloud hosts to a local provider instead,
 * so that the app's Entra-specific code paths (which key on those hosts) run in tests. Passed to
 * the app as `providerFetch`; every other URL goes to the real `fetch`.
 */
export function fakeMicrosoftHostsFetch(provider: HostileProvider): typeof fetch {
  return (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const origin = MICROSOFT_ORIGINS.find((o) => url.startsWith(`${o}/`));
    return fetch(origin === undefined ? url : provider.origin + url.slice(origin.length), init);
  };
}

/** The origin aliases a test user agent needs to follow redirects to a faked Microsoft host. */
export function fakeMicrosoftHostAliases(provider: HostileProvider): Record<string, string> {
  return Object.fromEntries(MICROSOFT_ORIGINS.map((o) => [o, provider.origin]));
}
