/**
 * A development fake of Microsoft Graph, served by the development identity provider at its
 * origin under `/v1.0`: `/me`, its photo and messages, the person's group memberships and the
 * tenant's groups, with Graph's shapes, errors and permission checks, for the person's access
 * tokens of this provider only. It is not Graph, and says so in a response header. It never
 * logs: tokens are not written out.
 *
 * @see https://learn.microsoft.com/graph/errors
 * @see https://learn.microsoft.com/graph/permissions-reference
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { DevAccount } from './accounts.js';
import { directoryGroupsOf } from './directory-groups.js';
import type { GraphCall, GraphFake } from './graph-call.js';
import { answerGroup, answerMemberObjects } from './graph-directory.js';
import { answerMe, answerMessages, answerPhoto, answerPhotoMetadata } from './graph-profile.js';
import { graphError } from './graph-replies.js';
import { readBody } from './http-replies.js';
import { solidColourPng } from './profile-photo.js';

export type { GraphFake } from './graph-call.js';

// Longer than any token this provider issues: no need to look such a value up.
const MAX_TOKEN_LENGTH = 4096;

/** The fake's state for these accounts: a photo for each that has a photo colour; their groups. */
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
  return { provider, resource, accounts, photos, groups: directoryGroupsOf(accounts) };
}

interface Route {
  readonly method: 'GET' | 'POST';
  /** The path, `{id}` standing for one segment. */
  readonly path: string;
  /** The delegated permission it takes: the least privileged one Graph's reference names. */
  readonly scope: string;
  /** Graph's 403 without it: Exchange's words for mail and profile, the directory's for groups. */
  readonly denied: readonly [code: string, message: string];
  readonly answer: (call: GraphCall, res: ServerResponse) => void;
}

const EXCHANGE_DENIED = [
  'ErrorAccessDenied',
  'Access is denied. Check credentials and try again.',
] as const;
const DIRECTORY_DENIED = [
  'Authorization_RequestDenied',
  'Insufficient privileges to complete the operation.',
] as const;

const routes: readonly Route[] = [
  {
    method: 'GET',
    path: '/v1.0/me',
    scope: 'User.Read',
    denied: EXCHANGE_DENIED,
    answer: answerMe,
  },
  {
    method: 'GET',
    path: '/v1.0/me/photo',
    scope: 'User.Read',
    denied: EXCHANGE_DENIED,
    answer: answerPhotoMetadata,
  },
  {
    method: 'GET',
    path: '/v1.0/me/photo/$value',
    scope: 'User.Read',
    denied: EXCHANGE_DENIED,
    answer: answerPhoto,
  },
  {
    method: 'GET',
    path: '/v1.0/me/messages',
    scope: 'Mail.Read',
    denied: EXCHANGE_DENIED,
    answer: answerMessages,
  },
  // The signed-in person's own memberships take only User.Read ("Memberships for the signed-in
  // user" in the reference); another user's or a group's would take GroupMember.Read.All.
  {
    method: 'POST',
    path: '/v1.0/me/getMemberObjects',
    scope: 'User.Read',
    denied: DIRECTORY_DENIED,
    answer: answerMemberObjects,
  },
  {
    method: 'GET',
    path: '/v1.0/groups/{id}',
    scope: 'GroupMember.Read.All',
    denied: DIRECTORY_DENIED,
    answer: answerGroup,
  },
];

const patterns = new Map(routes.map((route) => [route, pathPattern(route.path)]));

/** Answers a request under `/v1.0`, as Graph would. */
export async function handleGraphRequest(
  fake: GraphFake,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const path = decodedPath(url).replace(/\/+$/, '');
  const bearer = await findBearer(fake, req.headers.authorization);
  if ('refused' in bearer) {
    // Graph's challenge names no error; the body says what is wrong.
    graphError(res, 401, 'InvalidAuthenticationToken', bearer.refused, {
      'www-authenticate': 'Bearer realm=""',
    });
    return;
  }
  const matches = routes.flatMap((route) => {
    const params = patterns.get(route)?.exec(path)?.slice(1);
    return params === undefined ? [] : [{ route, params }];
  });
  if (matches.length === 0) {
    const segment = path.split('/').at(-1) ?? '';
    graphError(res, 404, 'NotFound', `Resource not found for the segment '${segment}'.`);
    return;
  }
  const match = matches.find((m) => m.route.method === req.method);
  if (match === undefined) {
    graphError(
      res,
      405,
      'Request_BadRequest',
      'Specified HTTP method is not allowed for the request target.',
    );
    return;
  }
  const { route, params } = match;
  if (!bearer.scopes.has(route.scope)) {
    graphError(res, 403, ...route.denied);
    return;
  }
  const body = req.method === 'POST' ? await readBody(req).catch(() => null) : '';
  if (body === null) {
    graphError(res, 413, 'BadRequest', 'The request body is too large.');
    return;
  }
  const contentType = req.headers['content-type'] ?? '';
  route.answer({ fake, account: bearer.account, url, params, contentType, body }, res);
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

// A malformed escape (`%zz`) stays as it came: no route has one, so it answers 404.
function decodedPath(url: URL): string {
  try {
    return decodeURIComponent(url.pathname);
  } catch {
    return url.pathname;
  }
}

function pathPattern(template: string): RegExp {
  const literal = template.split('{id}').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${literal.join('([^/]+)')}$`);
}
