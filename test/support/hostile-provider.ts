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
import { bendsFree, type ProviderBends, type SignedJwt } from './hostile-provider-bends.js';

export type { ProviderBends } from './hostile-provider-bends.js';

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
  token: number;
}

interface PendingCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly nonce: string | null;
  readonly codeChallenge: string | null;
}

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
}

/**
 * An OpenID provider for tests whose every answer can be bent per test (`provider.bends`):
 * discovery, keys, authorization response, token response, ID token. It approves every
 * authorization request at once (no login form) by redirecting back with `code` and `state`.
 * A real HTTP server on loopback, signing real RS256 tokens with `jose`; it checks the client
 * secret and the PKCE verifier as a real provider would, and nothing else.
 *
 * @see https://openid.net/certification/connect_rp_testing/ (the RP tests it lets us write)
 */
export class HostileProvider {
  readonly options: HostileProviderOptions;
  readonly origin: string;
  readonly publicOrigin: string;
  readonly tenant: string;
  readonly issuer: string;
  bends: ProviderBends = bendsFree();
  keys: ProviderKey[] = [];
  hits: ProviderHits = { discovery: 0, jwks: 0, token: 0 };
  /** Every token the provider handed out (tests look for them where they must not be). */
  readonly issuedTokens: string[] = [];
  readonly #server: Server;
  readonly #codes = new Map<string, PendingCode>();

  private constructor(server: Server, options: HostileProviderOptions) {
    this.#server = server;
    this.options = options;
    const { port } = server.address() as AddressInfo;
    this.origin = `http://127.0.0.1:${port}`;
    this.publicOrigin = options.publicOrigin ?? this.origin;
    this.tenant = options.tenant ?? 'hostile-tenant';
    this.issuer = options.issuer ?? `${this.publicOrigin}/${this.tenant}/v2.0`;
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
      this.hits.token += 1;
      return this.#token(await readForm(request), response);
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
    const redirectUri = query.get('redirect_uri') ?? '';
    const code = randomBytes(24).toString('base64url');
    this.#codes.set(code, {
      clientId: query.get('client_id') ?? '',
      redirectUri,
      nonce: query.get('nonce'),
      codeChallenge: query.get('code_challenge'),
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
    const accessToken = `access-${randomBytes(24).toString('base64url')}`;
    const refreshToken = `refresh-${randomBytes(24).toString('base64url')}`;
    this.issuedTokens.push(idToken, accessToken, refreshToken);
    return this.#answer(response, {
      token_type: 'Bearer',
      expires_in: 3600,
      access_token: accessToken,
      refresh_token: refreshToken,
      id_token: idToken,
    });
  }

  #answer(response: ServerResponse, body: unknown, status = 200): void {
    response
      .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(JSON.stringify(body));
  }
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
