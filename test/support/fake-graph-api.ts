/**
 * A fake Microsoft Graph v1.0 on loopback for the calls the app makes as the signed-in person:
 * `GET /me`, `GET /me/photo/$value`, `GET /me/messages`. It accepts only access tokens the
 * {@link HostileProvider} signed for its API audience, answers in Graph's shapes, and can play
 * Graph's failures per test through `mode`.
 *
 * @see https://learn.microsoft.com/graph/api/user-get
 * @see https://learn.microsoft.com/graph/api/profilephoto-get
 * @see https://learn.microsoft.com/graph/api/user-list-messages
 * @see https://learn.microsoft.com/graph/errors
 */
import { solidColourPng } from '../../src/dev-idp/profile-photo.js';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { graphFailures, send, sendError, userBody, type FakeFailure } from './fake-graph-shapes.js';
import type { HostileProvider } from './hostile-provider.js';

/** How the fake misbehaves; tests change it between requests. */
export interface FakeGraphApiMode {
  /** A claims challenge (401 `insufficient_claims`) while the token's `acrs` lack this value. */
  challenge?: { readonly acrs: string } | undefined;
  /** The next this many requests answer 429 `TooManyRequests` with `Retry-After: 1`. */
  throttle?: number | undefined;
  /** Every request answers this status, with a Graph error body. */
  status?: number | undefined;
  /** Connections are dropped without an answer, as an unreachable host's would be. */
  down: boolean;
  /** Whether the person has a photo (`false`: 404 `ImageNotFound`). */
  photo: boolean;
  /** The group ids `POST /me/getMemberObjects` answers. */
  memberOf?: readonly string[] | undefined;
  /**
   * Pages getMemberObjects' answer this many ids at a time, with `@odata.nextLink` (followed
   * with GET, as Graph's SDKs do); `nextLinkOrigin` puts that link on another origin.
   */
  memberPageSize?: number | undefined;
  nextLinkOrigin?: string | undefined;
}

/** A request the fake received. */
export interface FakeGraphApiRequest {
  readonly method: string;
  /** Path and query, as sent (`/v1.0/me/photo/$value`). */
  readonly path: string;
  /** The `Authorization` header, as sent. */
  readonly authorization: string | null;
}

export interface FakeGraphApi {
  /** The origin, for the app's Graph URL. */
  readonly url: string;
  readonly requests: FakeGraphApiRequest[];
  mode: FakeGraphApiMode;
  close(): Promise<void>;
}

/** A mode in which the fake answers as Graph does on a good day. */
export function calmGraphApiMode(): FakeGraphApiMode {
  return { down: false, photo: true };
}

/** The person's photo, a small valid PNG, as `GET /me/photo/$value` answers it. */
export const FAKE_PROFILE_PHOTO: Buffer = solidColourPng('#0078d4', 4);

// Graph's own 401 carries this header, without `error`: a challenge only when it says so.
const PLAIN_CHALLENGE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

/** Starts the fake on a free loopback port, trusting `provider`'s keys as they are at each call. */
export async function startFakeGraphApi(options: {
  readonly provider: HostileProvider;
}): Promise<FakeGraphApi> {
  const { provider } = options;
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const api: FakeGraphApi = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: [],
    mode: calmGraphApiMode(),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const authorization = req.headers.authorization ?? null;
    api.requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', authorization });
    if (api.mode.down) {
      req.socket.destroy();
      return;
    }
    answer(api, provider, req, authorization, res).catch((error: unknown) => {
      sendError(res, { status: 500, code: 'generalException', message: String(error) });
    });
  });
  return api;
}

async function answer(
  api: FakeGraphApi,
  provider: HostileProvider,
  req: IncomingMessage,
  authorization: string | null,
  res: ServerResponse,
): Promise<void> {
  const { mode } = api;
  if (mode.status !== undefined) return sendError(res, failureOfStatus(mode.status));
  if (mode.throttle !== undefined && mode.throttle > 0) {
    mode.throttle -= 1;
    return sendError(res, graphFailures.throttled('1'));
  }
  const token = await verifiedToken(provider, authorization);
  if ('failure' in token) {
    res.setHeader('www-authenticate', PLAIN_CHALLENGE);
    return sendError(res, token.failure);
  }
  const acrs = Array.isArray(token.claims['acrs']) ? token.claims['acrs'] : [];
  if (mode.challenge !== undefined && !acrs.includes(mode.challenge.acrs)) {
    res.setHeader('www-authenticate', claimsChallenge(mode.challenge.acrs));
    return sendError(res, {
      status: 401,
      code: 'InvalidAuthenticationToken',
      message: 'The access token does not satisfy the authentication context the resource asks.',
    });
  }
  const url = new URL(req.url ?? '/', api.url);
  const route = `${req.method ?? 'GET'} ${url.pathname.toLowerCase()}`;
  const scopes = typeof token.claims['scp'] === 'string' ? token.claims['scp'].split(' ') : [];
  const me = { id: String(token.claims['oid']), userPrincipalName: 'mallory@contoso.example' };
  switch (route) {
    case 'GET /v1.0/me':
      if (!scopes.includes('User.Read')) return sendError(res, graphFailures.forbidden);
      return send(res, 200, { ...userBody(me), displayName: 'Mallory Example' });
    case 'GET /v1.0/me/photo':
      if (!scopes.includes('User.Read')) return sendError(res, graphFailures.forbidden);
      if (!mode.photo) return sendError(res, IMAGE_NOT_FOUND);
      return send(res, 200, {
        '@odata.mediaContentType': 'image/png',
        id: '4X4',
        height: 4,
        width: 4,
      });
    case 'GET /v1.0/me/photo/$value':
      if (!scopes.includes('User.Read')) return sendError(res, graphFailures.forbidden);
      if (!mode.photo) return sendError(res, IMAGE_NOT_FOUND);
      res.writeHead(200, { 'content-type': 'image/png' }).end(FAKE_PROFILE_PHOTO);
      return;
    case 'POST /v1.0/me/getmemberobjects':
    case 'GET /v1.0/me/getmemberobjects':
      if (!scopes.includes('User.Read')) return sendError(res, graphFailures.forbidden);
      return send(res, 200, memberObjectsPage(api, url.searchParams));
    case 'GET /v1.0/me/messages':
      if (!scopes.includes('Mail.Read')) return sendError(res, ACCESS_DENIED);
      return send(res, 200, messagesPage(api.url, me.id, url.searchParams));
    default:
      return sendError(res, {
        status: 400,
        code: 'BadRequest',
        message: `Resource not found for the segment '${url.pathname.split('/').pop() ?? ''}'.`,
      });
  }
}

function memberObjectsPage(api: FakeGraphApi, query: URLSearchParams): Record<string, unknown> {
  const all = api.mode.memberOf ?? [];
  const size = api.mode.memberPageSize ?? all.length;
  const from = Number(query.get('$skiptoken') ?? '0');
  const next = from + size;
  return {
    '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Collection(Edm.String)',
    value: all.slice(from, next),
    ...(next < all.length
      ? {
          '@odata.nextLink': `${api.mode.nextLinkOrigin ?? api.url}/v1.0/me/getMemberObjects?$skiptoken=${next}`,
        }
      : {}),
  };
}

/**
 * The bearer token's claims, verified as Graph would: signed by one of the provider's keys,
 * issued by it, for its API audience, within its lifetime; or the 401 to answer.
 */
async function verifiedToken(
  provider: HostileProvider,
  authorization: string | null,
): Promise<{ claims: JWTPayload } | { failure: FakeFailure }> {
  const token = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
  const refuse = (message: string) => ({
    failure: { status: 401, code: 'InvalidAuthenticationToken', message },
  });
  if (token === undefined) return refuse('Access token is empty.');
  try {
    const keys = createLocalJWKSet({ keys: provider.keys.map((key) => key.jwk) });
    const { payload } = await jwtVerify(token, keys, {
      issuer: provider.issuer,
      audience: provider.apiAudience,
      algorithms: ['RS256'],
    });
    return { claims: payload };
  } catch (error) {
    if (error instanceof errors.JWTExpired) {
      return refuse('Lifetime validation failed, the token is expired.');
    }
    if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'aud') {
      return refuse('Access token validation failure. Invalid audience.');
    }
    return refuse('Access token validation failure.');
  }
}

/**
 * The `WWW-Authenticate` of a claims challenge, in the format of Microsoft's example: the
 * claims base64-encoded.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/claims-challenge#claims-challenge-header-format
 */
function claimsChallenge(acrs: string): string {
  const claims = { access_token: { acrs: { essential: true, value: acrs } } };
  const encoded = Buffer.from(JSON.stringify(claims)).toString('base64');
  return `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="${encoded}"`;
}

// The codes Graph's error reference gives for each status.
function failureOfStatus(status: number): FakeFailure {
  const codes: Record<number, [string, string]> = {
    400: ['invalidRequest', 'The request is malformed or incorrect.'],
    401: ['unauthenticated', 'The caller is not authenticated.'],
    403: ['accessDenied', 'The caller does not have permission to perform the action.'],
    404: ['itemNotFound', 'The resource could not be found.'],
    429: ['activityLimitReached', 'The app or user has been throttled.'],
    503: [
      'serviceNotAvailable',
      'The service is not available. Try the request again after a delay.',
    ],
  };
  const [code, message] = codes[status] ?? [
    'generalException',
    'An unspecified error has occurred.',
  ];
  return { status, code, message };
}

const IMAGE_NOT_FOUND: FakeFailure = {
  status: 404,
  code: 'ImageNotFound',
  message:
    "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.",
};

// Outlook's answer, not Azure AD's, to a token without Mail.Read.
const ACCESS_DENIED: FakeFailure = {
  status: 403,
  code: 'ErrorAccessDenied',
  message: 'Access is denied. Check credentials and try again.',
};

const MESSAGES = [
  { subject: 'Quarterly numbers', from: 'Adele Vance', address: 'adelev@contoso.example' },
  { subject: 'Lunch on Friday?', from: 'Alex Wilber', address: 'alexw@contoso.example' },
  { subject: 'Your password expires soon', from: 'IT', address: 'it@contoso.example' },
];

/** A page of `GET /me/messages`, with `@odata.nextLink` (on Graph's own origin) while more remain. */
function messagesPage(origin: string, userId: string, query: URLSearchParams) {
  const top = Math.max(1, Number(query.get('$top') ?? '10') || 10);
  const skip = Math.max(0, Number(query.get('$skip') ?? '0') || 0);
  const value = MESSAGES.slice(skip, skip + top).map((m, i) => ({
    '@odata.etag': `W/"CQAAABYAAAC${skip + i}"`,
    id: `AAMkAGUAAAwTW09AAA${skip + i}=`,
    receivedDateTime: new Date(Date.UTC(2024, 0, 10 - skip - i)).toISOString(),
    hasAttachments: false,
    subject: m.subject,
    bodyPreview: `${m.subject}.`,
    importance: 'normal',
    isRead: skip + i > 0,
    from: { emailAddress: { name: m.from, address: m.address } },
  }));
  const next = skip + top < MESSAGES.length;
  return {
    '@odata.context': `https://graph.microsoft.com/v1.0/$metadata#users('${userId}')/messages`,
    value,
    ...(next
      ? { '@odata.nextLink': `${origin}/v1.0/me/messages?$top=${top}&$skip=${skip + top}` }
      : {}),
  };
}
