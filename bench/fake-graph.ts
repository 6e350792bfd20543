/**
 * A fake of Microsoft Graph for the benchmark, run as its own process so that none of its CPU
 * time counts as the app's: `GET /v1.0/me` (with `$select`), `/v1.0/me/photo` (the photo's
 * metadata) and `/v1.0/me/photo/$value` (its bytes), in Graph's shapes and errors, for the
 * access tokens the bench's provider (bench/fast-idp.ts) signs for Graph: RS256 against the
 * provider's published keys, Graph's audience, not expired, with `User.Read`. Each token's
 * signature is checked once, then remembered, so that the fake stays cheap. `GET /_fake/stats`
 * (not Graph's) counts the connections opened to it and the Graph requests it served: the bench
 * reads from it whether the app reuses its connections.
 * Loopback only.
 *
 * Environment: ISSUER (the provider's; its `/keys` are trusted), PHOTO_SIZE (the photo's side
 * in pixels, 128 by default). Prints one JSON line `{ "url": … }` on stdout once it listens.
 *
 * @see https://learn.microsoft.com/graph/api/user-get
 * @see https://learn.microsoft.com/graph/api/profilephoto-get
 * @see https://learn.microsoft.com/graph/errors
 */
import {
  createPublicKey,
  randomBytes,
  randomUUID,
  verify,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32, deflateSync } from 'node:zlib';

interface GraphToken {
  readonly oid: string;
  readonly name: string;
  readonly upn: string;
  readonly scopes: ReadonlySet<string>;
  readonly exp: number;
}

const GRAPH_AUDIENCE = '00000003-0000-0000-c000-000000000000';
const METADATA = 'https://graph.microsoft.com/v1.0/$metadata';
const MAX_REMEMBERED_TOKENS = 10_000;
const issuer = process.env['ISSUER'] ?? '';
const keys = await fetchKeys(`${issuer}/keys`);
// Graph's $value is the largest photo it has, a JPEG of tens of kilobytes; noise does not
// compress, so a PNG of noise is about as large (128 × 128: 48 KiB).
const photoSize = Number(process.env['PHOTO_SIZE'] ?? 128);
const photo = { size: photoSize, bytes: noisePng(photoSize), etag: randomUUID() };
const verified = new Map<string, GraphToken>();
const stats = { connections: 0, requests: 0 };

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname === '/_fake/stats') return sendJson(res, 200, stats);
  stats.requests += 1;
  const token = bearerOf(req.headers.authorization);
  if (typeof token === 'string') {
    return graphError(res, 401, 'InvalidAuthenticationToken', token, {
      'www-authenticate': 'Bearer realm=""',
    });
  }
  if (req.method !== 'GET') {
    return graphError(res, 405, 'Request_BadRequest', 'Specified HTTP method is not allowed.');
  }
  switch (decodeURIComponent(url.pathname)) {
    case '/v1.0/me':
      return answerMe(res, token, url);
    case '/v1.0/me/photo':
      return answerPhotoMetadata(res, token);
    case '/v1.0/me/photo/$value':
      return sendBytes(res, 200, photo.bytes, 'image/png');
    default:
      return graphError(res, 404, 'NotFound', 'Resource not found for the segment.');
  }
});
server.on('connection', () => (stats.connections += 1));
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});

function answerMe(res: ServerResponse, token: GraphToken, url: URL): void {
  if (!token.scopes.has('User.Read')) {
    return graphError(res, 403, 'Authorization_RequestDenied', 'Insufficient privileges.');
  }
  const user: Record<string, unknown> = {
    businessPhones: ['+1 425 555 0100'],
    displayName: token.name,
    givenName: token.name.split(' ')[0] ?? null,
    jobTitle: 'Benchmark Engineer',
    mail: token.upn,
    mobilePhone: null,
    officeLocation: 'Loopback 1',
    preferredLanguage: 'en-GB',
    surname: token.name.split(' ').at(-1) ?? null,
    userPrincipalName: token.upn,
    id: token.oid,
  };
  const chosen = (url.searchParams.get('$select') ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name in user);
  if (chosen.length === 0) {
    return sendJson(res, 200, { '@odata.context': `${METADATA}#users/$entity`, ...user });
  }
  sendJson(res, 200, {
    '@odata.context': `${METADATA}#users(${chosen.join(',')})/$entity`,
    ...Object.fromEntries(chosen.map((name) => [name, user[name]])),
  });
}

// The photo's metadata (no bytes): https://learn.microsoft.com/graph/api/resources/profilephoto
function answerPhotoMetadata(res: ServerResponse, token: GraphToken): void {
  sendJson(res, 200, {
    '@odata.context': `${METADATA}#users('${token.oid}')/photo/$entity`,
    '@odata.mediaContentType': 'image/png',
    '@odata.mediaEtag': `W/"${photo.etag}"`,
    id: `${photo.size}X${photo.size}`,
    height: photo.size,
    width: photo.size,
  });
}

// The token of an `Authorization: Bearer` header, or why Graph would refuse it.
function bearerOf(header: string | undefined): GraphToken | string {
  const value = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(header ?? '')?.[1];
  if (value === undefined) return 'Access token is empty.';
  let token = verified.get(value);
  if (token === undefined) {
    const checked = checkSignedToken(value);
    if (typeof checked === 'string') return checked;
    if (verified.size >= MAX_REMEMBERED_TOKENS) verified.clear();
    verified.set(value, checked);
    token = checked;
  }
  if (token.exp * 1000 <= Date.now()) return 'Lifetime validation failed, the token is expired.';
  return token;
}

function checkSignedToken(jwt: string): GraphToken | string {
  const [header = '', payload = '', signature = ''] = jwt.split('.');
  const decode = (part: string): unknown =>
    JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  try {
    const { alg, kid } = decode(header) as { alg?: string; kid?: string };
    const key = kid === undefined ? undefined : keys.get(kid);
    const input = Buffer.from(`${header}.${payload}`);
    if (alg !== 'RS256' || key === undefined) return 'Invalid access token.';
    if (!verify('sha256', input, key, Buffer.from(signature, 'base64url'))) {
      return 'Access token validation failure.';
    }
    const claims = decode(payload) as Record<string, unknown>;
    if (claims['aud'] !== GRAPH_AUDIENCE) {
      return 'Access token validation failure. Invalid audience.';
    }
    return {
      oid: String(claims['oid']),
      name: String(claims['name']),
      upn: String(claims['upn']),
      scopes: new Set(String(claims['scp']).split(' ')),
      exp: Number(claims['exp']),
    };
  } catch {
    return 'Invalid access token.';
  }
}

async function fetchKeys(url: string): Promise<Map<string, KeyObject>> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const { keys: jwks } = (await response.json()) as { keys: (JsonWebKey & { kid: string })[] };
  return new Map(jwks.map((jwk) => [jwk.kid, createPublicKey({ key: jwk, format: 'jwk' })]));
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body));
  sendBytes(res, status, bytes, 'application/json;odata.metadata=minimal;charset=utf-8');
}

function sendBytes(
  res: ServerResponse,
  status: number,
  body: Buffer,
  type: string,
  headers: Record<string, string> = {},
): void {
  const requestId = randomUUID();
  res
    .writeHead(status, {
      'content-type': type,
      'content-length': body.length,
      'cache-control': 'no-cache',
      'request-id': requestId,
      'client-request-id': requestId,
      ...headers,
    })
    .end(body);
}

// Graph's error shape, innerError included.
function graphError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = {
    error: {
      code,
      message,
      innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': randomUUID() },
    },
  };
  sendBytes(res, status, Buffer.from(JSON.stringify(body)), 'application/json', headers);
}

// A square PNG of random pixels: https://www.w3.org/TR/png-3/ (8-bit truecolour, one IDAT).
function noisePng(size: number): Buffer {
  const rows = Array.from({ length: size }, () =>
    Buffer.concat([Buffer.from([0]), randomBytes(size * 3)]),
  );
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const framing = Buffer.alloc(8);
  framing.writeUInt32BE(data.length, 0);
  framing.writeUInt32BE(crc32(typed), 4);
  return Buffer.concat([framing.subarray(0, 4), typed, framing.subarray(4)]);
}
