/**
 * A fast OpenID provider for the benchmark, run as its own process: it signs everyone in at once
 * as one person (no login page), issues RS256-signed ID tokens and checks what a real provider
 * checks (client secret, redirect URI, single-use code, PKCE S256). Asked for API scopes (the
 * app's `User.Read`), it answers as Entra does: an access token for Microsoft Graph (a JWT that
 * bench/fake-graph.ts checks against this provider's keys), a refresh token for
 * `offline_access`, and the granted scopes. It is small so that the benchmark measures the app,
 * not the provider. Loopback only; never use it for anything else.
 *
 * Environment: PORT (0 for any), CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS (comma-separated).
 * Prints one JSON line `{ "issuer": … }` on stdout once it listens.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface PendingCode {
  readonly nonce: string | null;
  readonly scopes: readonly string[];
  readonly codeChallenge: string;
  readonly redirectUri: string;
  readonly expiresAt: number;
}

const TENANT = 'be9c4000-0000-4000-8000-00000000be9c';
// Microsoft Graph's application id: the audience of Entra's access tokens for Graph.
const GRAPH_AUDIENCE = '00000003-0000-0000-c000-000000000000';
const SIGN_IN_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);
const clientId = process.env['CLIENT_ID'] ?? 'bench-app';
const clientSecret = process.env['CLIENT_SECRET'] ?? '';
const redirectUris = new Set((process.env['REDIRECT_URIS'] ?? '').split(','));
const kid = randomBytes(8).toString('hex');
const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
// Signs one token with a key the provider does not publish: the benchmark's proof that the
// app checks ID token signatures (it must refuse that token).
const rogueKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
let signNextWithRogueKey = false;
const codes = new Map<string, PendingCode>();

const server = createServer((req, res) => {
  handle(req, res).catch(() => send(res, 500, { error: 'server_error' }));
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ issuer: issuerAt(port) })}\n`);
});

function issuerAt(port: number): string {
  return `http://127.0.0.1:${port}/${TENANT}/v2.0`;
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const issuer = issuerAt((server.address() as AddressInfo).port);
  const url = new URL(req.url ?? '/', issuer);
  const path = url.pathname.slice(`/${TENANT}/v2.0`.length);
  switch (path) {
    case '/.well-known/openid-configuration':
      return send(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/keys`,
        end_session_endpoint: `${issuer}/logout`,
        response_types_supported: ['code'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_post'],
        scopes_supported: ['openid', 'profile', 'email'],
        authorization_response_iss_parameter_supported: true,
      });
    case '/keys':
      return send(res, 200, {
        keys: [
          { ...signingKey.publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' },
        ],
      });
    case '/authorize':
      return authorize(url, res, issuer);
    case '/token':
      return token(new URLSearchParams(await readBody(req)), res, issuer);
    case '/rogue-next':
      signNextWithRogueKey = true;
      return send(res, 200, { ok: true });
    default:
      return send(res, 404, { error: 'not_found' });
  }
}

// Everyone is signed in already: answer with a code at once, as Entra does for a person with a
// live session who has consented.
function authorize(url: URL, res: ServerResponse, issuer: string): void {
  const q = url.searchParams;
  const redirectUri = q.get('redirect_uri') ?? '';
  const challenge = q.get('code_challenge');
  if (q.get('client_id') !== clientId || !redirectUris.has(redirectUri)) {
    return send(res, 400, { error: 'invalid_request' });
  }
  if (
    q.get('response_type') !== 'code' ||
    q.get('code_challenge_method') !== 'S256' ||
    !challenge
  ) {
    return send(res, 400, { error: 'invalid_request' });
  }
  const code = randomBytes(24).toString('base64url');
  codes.set(code, {
    nonce: q.get('nonce'),
    scopes: (q.get('scope') ?? '').split(' ').filter(Boolean),
    codeChallenge: challenge,
    redirectUri,
    expiresAt: Date.now() + 60_000,
  });
  const back = new URL(redirectUri);
  back.searchParams.set('code', code);
  back.searchParams.set('state', q.get('state') ?? '');
  back.searchParams.set('iss', issuer);
  res.writeHead(302, { location: back.href, 'cache-control': 'no-store' }).end();
}

function token(form: URLSearchParams, res: ServerResponse, issuer: string): void {
  if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) {
    return send(res, 401, { error: 'invalid_client' });
  }
  const code = form.get('code') ?? '';
  const pending = codes.get(code);
  codes.delete(code);
  const verifier = form.get('code_verifier') ?? '';
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  if (
    form.get('grant_type') !== 'authorization_code' ||
    !pending ||
    pending.expiresAt < Date.now() ||
    pending.redirectUri !== form.get('redirect_uri') ||
    pending.codeChallenge !== challenge
  ) {
    return send(res, 400, { error: 'invalid_grant' });
  }
  const now = Math.floor(Date.now() / 1000);
  const oid = 'a11ce000-0000-4000-8000-00000000be9c';
  const claims = {
    iss: issuer,
    sub: oid,
    aud: clientId,
    exp: now + 3600,
    iat: now,
    nbf: now,
    ...(pending.nonce === null ? {} : { nonce: pending.nonce }),
    oid,
    tid: TENANT,
    ver: '2.0',
    sid: randomBytes(8).toString('hex'),
    name: 'Alice Bench',
    preferred_username: 'alice@bench.test',
    email: 'alice@bench.test',
  };
  const key = signNextWithRogueKey ? rogueKey : signingKey.privateKey;
  signNextWithRogueKey = false;
  const apiScopes = pending.scopes.filter((scope) => !SIGN_IN_SCOPES.has(scope));
  const granted = [...apiScopes, 'openid', 'profile', 'email'].join(' ');
  send(res, 200, {
    access_token:
      apiScopes.length > 0
        ? signJwt(graphAccessTokenClaims(claims, granted), signingKey.privateKey)
        : randomBytes(24).toString('base64url'),
    token_type: 'Bearer',
    expires_in: 3600,
    scope: granted,
    // Entra's refresh tokens are opaque and about a kilobyte or more: the size matters here,
    // since the app keeps it (sealed) beside the session.
    ...(pending.scopes.includes('offline_access')
      ? { refresh_token: randomBytes(768).toString('base64url') }
      : {}),
    id_token: signJwt(claims, key),
  });
}

// The claims of an Entra v1.0 access token for Graph (the ones it usually carries, so that the
// token is about as long as a real one: some 1.5 kB).
function graphAccessTokenClaims(
  person: { iat: number; exp: number; oid: string; sid: string; name: string; email: string },
  scp: string,
): Record<string, unknown> {
  return {
    aud: GRAPH_AUDIENCE,
    iss: `https://sts.windows.net/${TENANT}/`,
    iat: person.iat,
    nbf: person.iat,
    exp: person.exp,
    acct: 0,
    acr: '1',
    aio: randomBytes(72).toString('base64url'),
    amr: ['pwd', 'mfa'],
    app_displayname: 'entra-signin bench',
    appid: clientId,
    appidacr: '1',
    idtyp: 'user',
    ipaddr: '127.0.0.1',
    name: person.name,
    oid: person.oid,
    platf: '3',
    puid: randomBytes(8).toString('hex').toUpperCase(),
    rh: `1.${randomBytes(48).toString('base64url')}.`,
    scp,
    sid: person.sid,
    sub: randomBytes(32).toString('base64url'),
    tenant_region_scope: 'EU',
    tid: TENANT,
    unique_name: person.email,
    upn: person.email,
    uti: randomBytes(16).toString('base64url'),
    ver: '1.0',
    wids: ['b79fbf4d-3ef9-4689-8143-76b194e85509'],
    xms_cc: ['CP1'],
    xms_ftd: randomBytes(48).toString('base64url'),
    xms_idrel: '1 20',
    xms_st: { sub: randomBytes(32).toString('base64url') },
    xms_tcdt: 1_600_000_000,
  };
}

function signJwt(claims: Record<string, unknown>, key: KeyObject): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg: 'RS256', typ: 'JWT', kid })}.${encode(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res
    .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));
}
