/**
 * A development fake of Microsoft Graph, served by the development identity provider at its
 * origin under `/v1.0`: `/me`, `/me/photo/$value` and `/me/messages` for the demo accounts, with
 * Graph's shapes, errors and scope checks, for the person's access tokens of this provider only.
 * It is not Graph, and says so in a response header. It never logs: tokens are not written out.
 *
 * @see https://learn.microsoft.com/graph/api/user-get
 * @see https://learn.microsoft.com/graph/api/profilephoto-get
 * @see https://learn.microsoft.com/graph/api/user-list-messages
 * @see https://learn.microsoft.com/graph/errors
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { DevAccount } from './accounts.js';
import { demoMessagesOf } from './demo-mailbox.js';
import { sendBytes, sendJson } from './http-replies.js';
import { solidColourPng } from './profile-photo.js';

const FAKE_NOTICE =
  'development fake of Microsoft Graph (entra-signin development identity provider)';
const METADATA = 'https://graph.microsoft.com/v1.0/$metadata';
// Longer than any token this provider issues: no need to look such a value up.
const MAX_TOKEN_LENGTH = 4096;
const MAX_TOP = 1000;

/** What the Graph fake serves from. */
export interface GraphFake {
  readonly provider: Provider;
  /** The resource identifier its access tokens name as audience. */
  readonly resource: string;
  readonly accounts: readonly DevAccount[];
  /** The profile photos (PNG) by account oid, made once at start-up. */
  readonly photos: ReadonlyMap<string, Buffer>;
}

/** The fake's state for these accounts: a photo for each that has a photo colour. */
export function createGraphFake(
  provider: Provider,
  resource: string,
  accounts: readonly DevAccount[],
): GraphFake {
  const photos = new Map<string, Buffer>();
  for (const account of accounts) {
    if (account.photoColour !== undefined)
      photos.set(account.oid, solidColourPng(account.photoColour));
  }
  return { provider, resource, accounts, photos };
}

interface Route {
  readonly scope: string;
  readonly answer: (fake: GraphFake, account: DevAccount, url: URL, res: ServerResponse) => void;
}

const routes: Readonly<Record<string, Route>> = {
  '/v1.0/me': { scope: 'User.Read', answer: answerMe },
  '/v1.0/me/photo': { scope: 'User.Read', answer: answerPhotoMetadata },
  '/v1.0/me/photo/$value': { scope: 'User.Read', answer: answerPhoto },
  '/v1.0/me/messages': { scope: 'Mail.Read', answer: answerMessages },
};

/** Answers a request under `/v1.0`, as Graph would. */
export async function handleGraphRequest(
  fake: GraphFake,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const path = decodeURIComponent(url.pathname).replace(/\/+$/, '');
  const bearer = await findBearer(fake, req.headers.authorization);
  if ('refused' in bearer) {
    // Graph's challenge names no error; the body says what is wrong.
    graphError(res, 401, 'InvalidAuthenticationToken', bearer.refused, {
      'www-authenticate': 'Bearer realm=""',
    });
    return;
  }
  const route = routes[path];
  if (route === undefined) {
    const segment = path.split('/').at(-1) ?? '';
    graphError(res, 404, 'NotFound', `Resource not found for the segment '${segment}'.`);
    return;
  }
  if (req.method !== 'GET') {
    graphError(
      res,
      405,
      'Request_BadRequest',
      'Specified HTTP method is not allowed for the request target.',
    );
    return;
  }
  if (!bearer.scopes.has(route.scope)) {
    graphError(res, 403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    return;
  }
  route.answer(fake, bearer.account, url, res);
}

type Bearer = { account: DevAccount; scopes: Set<string> } | { refused: string };

// The opaque token is looked up in the provider: it must be live, for Graph, and a person's.
async function findBearer(fake: GraphFake, header: string | undefined): Promise<Bearer> {
  const value = /^Bearer +([\x21-\x7e]+)$/i.exec(header ?? '')?.[1];
  if (value === undefined) return { refused: 'Access token is empty.' };
  if (value.length > MAX_TOKEN_LENGTH) return { refused: 'Invalid access token.' };
  const token = await fake.provider.AccessToken.find(value, { ignoreExpiration: true }).catch(
    () => undefined,
  );
  if (token === undefined) return { refused: 'Invalid access token.' };
  if (token.isExpired) return { refused: 'Lifetime validation failed, the token is expired.' };
  if (token.aud !== fake.resource) {
    return { refused: 'Access token validation failure. Invalid audience.' };
  }
  const account = fake.accounts.find((a) => a.oid === token.accountId);
  if (account === undefined) return { refused: 'Invalid access token.' };
  return { account, scopes: token.scopes };
}

function answerMe(_fake: GraphFake, account: DevAccount, url: URL, res: ServerResponse): void {
  const user: Record<string, unknown> = {
    businessPhones: [],
    displayName: account.name,
    givenName: account.givenName ?? null,
    jobTitle: account.jobTitle ?? null,
    mail: account.email,
    mobilePhone: account.mobilePhone ?? null,
    officeLocation: account.officeLocation ?? null,
    preferredLanguage: account.preferredLanguage ?? null,
    surname: account.surname ?? null,
    userPrincipalName: account.username,
    id: account.oid,
  };
  // $select, loosely: the named properties that exist, in Graph's context URL form.
  const select = (url.searchParams.get('$select') ?? '').split(',').map((s) => s.trim());
  const chosen = select.filter((name) => name in user);
  if (chosen.length === 0) {
    sendGraphJson(res, 200, { '@odata.context': `${METADATA}#users/$entity`, ...user });
    return;
  }
  sendGraphJson(res, 200, {
    '@odata.context': `${METADATA}#users(${chosen.join(',')})/$entity`,
    ...Object.fromEntries(chosen.map((name) => [name, user[name]])),
  });
}

// The metadata of the photo (GET /me/photo): what a page asks to learn whether there is one.
function answerPhotoMetadata(
  fake: GraphFake,
  account: DevAccount,
  _url: URL,
  res: ServerResponse,
): void {
  const photo = fake.photos.get(account.oid);
  if (photo === undefined) {
    noPhoto(res);
    return;
  }
  sendGraphJson(res, 200, {
    '@odata.context': "https://graph.microsoft.com/v1.0/$metadata#users('me')/photo/$entity",
    '@odata.mediaContentType': 'image/png',
    '@odata.mediaEtag': `W/"${photo.length.toString(16)}"`,
    id: '96X96',
    height: 96,
    width: 96,
  });
}

function noPhoto(res: ServerResponse): void {
  graphError(
    res,
    404,
    'ImageNotFound',
    "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.",
  );
}

function answerPhoto(fake: GraphFake, account: DevAccount, _url: URL, res: ServerResponse): void {
  const photo = fake.photos.get(account.oid);
  if (photo === undefined) {
    noPhoto(res);
    return;
  }
  sendBytes(res, 200, photo, { 'content-type': 'image/png', 'x-development-fake': FAKE_NOTICE });
}

function answerMessages(
  _fake: GraphFake,
  account: DevAccount,
  url: URL,
  res: ServerResponse,
): void {
  const top = pageParameter(url, '$top', 10);
  const skip = pageParameter(url, '$skip', 0);
  if (top === null || top < 1 || top > MAX_TOP || skip === null) {
    graphError(res, 400, 'BadRequest', 'Invalid value for a query option ($top or $skip).');
    return;
  }
  const all = demoMessagesOf(account);
  const page = all.slice(skip, skip + top);
  const next = new URL(url);
  next.searchParams.set('$skip', String(skip + top));
  sendGraphJson(res, 200, {
    '@odata.context': `${METADATA}#users('${account.oid}')/messages`,
    value: page,
    ...(skip + top < all.length ? { '@odata.nextLink': next.href } : {}),
  });
}

// A non-negative integer query option, its default when absent, `null` when malformed.
function pageParameter(url: URL, name: string, fallback: number): number | null {
  const value = url.searchParams.get(name);
  if (value === null) return fallback;
  return /^\d{1,6}$/.test(value) ? Number(value) : null;
}

function sendGraphJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, body, {
    'content-type': 'application/json',
    'request-id': randomUUID(),
    'x-development-fake': FAKE_NOTICE,
    ...headers,
  });
}

// Graph's error shape, innerError included.
function graphError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const requestId = randomUUID();
  sendGraphJson(
    res,
    status,
    {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString().slice(0, 19),
          'request-id': requestId,
          'client-request-id': requestId,
        },
      },
    },
    { 'request-id': requestId, ...headers },
  );
}
