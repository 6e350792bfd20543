/**
 * A fake Microsoft Graph v1.0 on loopback: exactly the endpoints `npm run register`, `unregister`
 * and `doctor` use, answering with bodies shaped like the documentation's examples, and errors in
 * Graph's documented shape (https://learn.microsoft.com/graph/errors). State lives in memory.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  applicationBody,
  passwordCredentialBody,
  send,
  sendError,
  userBody,
  type FakeFailure,
} from './fake-graph-shapes.js';
import { routeFederatedCredentials } from './fake-graph-federated-credentials.js';
import {
  appRolesChangeFailure,
  routeServicePrincipals,
  type FakeDirectory,
} from './fake-graph-service-principals.js';

export { graphFailures, type FakeApplication, type FakeFailure } from './fake-graph-shapes.js';
export type { FakeAppRoleAssignment } from './fake-graph-service-principals.js';

/** A call the fake received. */
export interface RecordedRequest {
  readonly method: string;
  /** The path after /v1.0, query included, decoded. */
  readonly path: string;
  readonly body: unknown;
}

export interface FakeGraph extends FakeDirectory {
  /** The origin, for GRAPH_URL. */
  readonly url: string;
  /** A JWT-shaped access token carrying `tid`; the only token the fake accepts. */
  readonly token: string;
  /** Owners' ids by application object id. */
  readonly owners: Map<string, Set<string>>;
  readonly requests: RecordedRequest[];
  /** Answers the next `times` calls matching `method` and `path` with `failure`. */
  failNext(method: string, path: RegExp, failure: FakeFailure, times?: number): void;
  close(): Promise<void>;
}

/** Starts the fake on a free loopback port. */
export async function startFakeGraph(): Promise<FakeGraph> {
  const tenantId = randomUUID();
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const token = `${encode({ typ: 'JWT', alg: 'RS256' })}.${encode({ aud: 'https://graph.microsoft.com', tid: tenantId, scp: 'AppRoleAssignment.ReadWrite.All Application.ReadWrite.All User.Read' })}.fake-signature`;
  const failures: { method: string; path: RegExp; failure: FakeFailure; times: number }[] = [];
  const server = createServer();
  const fake: FakeGraph = {
    url: '',
    tenantId,
    token,
    me: { id: randomUUID(), userPrincipalName: 'admin@contoso.onmicrosoft.com' },
    applications: new Map(),
    servicePrincipals: new Map(),
    appRoleAssignments: [],
    owners: new Map(),
    requests: [],
    failNext: (method, path, failure, times = 1) => failures.push({ method, path, failure, times }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void readJson(req).then((body) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path =
        decodeURIComponent(url.pathname.replace(/^\/v1\.0/, '')) + decodeURIComponent(url.search);
      const method = req.method ?? 'GET';
      fake.requests.push({ method, path, body });
      if (req.headers.authorization !== `Bearer ${token}`) {
        return sendError(res, {
          status: 401,
          code: 'InvalidAuthenticationToken',
          message: 'Access token validation failure. Invalid audience.',
        });
      }
      const planned = failures.find((f) => f.times > 0 && f.method === method && f.path.test(path));
      if (planned) {
        planned.times--;
        return sendError(res, planned.failure);
      }
      route(fake, method, url, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { ...fake, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function route(fake: FakeGraph, method: string, url: URL, body: unknown, res: ServerResponse) {
  // /v1.0/{collection}/{id}/{action}/{$ref}; Graph's segment names are case-insensitive.
  const [collection = '', id, action, ref] = url.pathname
    .split('/')
    .slice(2)
    .map(decodeURIComponent);
  const input = (body ?? {}) as Record<string, unknown>;
  if (collection.toLowerCase() === 'serviceprincipals') {
    return routeServicePrincipals(fake, method, { id, action }, url, input, res);
  }
  const shape = [collection.toLowerCase(), id && '{id}', action?.toLowerCase(), ref]
    .filter(Boolean)
    .join('/');
  const app = id === undefined ? undefined : fake.applications.get(id);
  if (id !== undefined && !app) {
    return sendError(res, {
      status: 404,
      code: 'Request_ResourceNotFound',
      message: `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    });
  }
  if (app && action?.toLowerCase() === 'federatedidentitycredentials') {
    return routeFederatedCredentials(app, method, ref, input, res);
  }
  switch (`${method} ${shape}`) {
    case 'GET me':
      return send(res, 200, userBody(fake.me));
    case 'GET applications':
      return listApplications(fake, url, res);
    case 'POST applications': {
      const created = {
        ...applicationBody(input),
        appRoles: (input['appRoles'] ?? []) as Record<string, unknown>[],
        groupMembershipClaims: input['groupMembershipClaims'] ?? null,
      };
      fake.applications.set(created.id, created);
      return send(res, 201, created);
    }
    case 'PATCH applications/{id}': {
      const refused = app && appRolesChangeFailure(app, input);
      if (refused) return sendError(res, refused);
      Object.assign(app ?? {}, input);
      return send(res, 204);
    }
    case 'DELETE applications/{id}':
      fake.applications.delete(id ?? '');
      return send(res, 204);
    case 'POST applications/{id}/addpassword': {
      const credential = passwordCredentialBody(
        (input['passwordCredential'] ?? {}) as Record<string, unknown>,
      );
      app?.passwordCredentials.push({ ...credential, secretText: null });
      return send(res, 200, credential);
    }
    case 'POST applications/{id}/owners/$ref':
      return addOwner(fake, id ?? '', input, res);
    default:
      return sendError(res, {
        status: 400,
        code: 'BadRequest',
        message: `Resource not found for the segment '${collection}'.`,
      });
  }
}

function addOwner(
  fake: FakeGraph,
  appObjectId: string,
  input: Record<string, unknown>,
  res: ServerResponse,
) {
  const reference = input['@odata.id'];
  const userId = typeof reference === 'string' ? (reference.split('/').pop() ?? '') : '';
  const owners = fake.owners.get(appObjectId) ?? new Set<string>();
  if (owners.has(userId)) {
    return sendError(res, {
      status: 400,
      code: 'Request_BadRequest',
      message:
        "One or more added object references already exist for the following modified properties: 'owners'.",
    });
  }
  fake.owners.set(appObjectId, owners.add(userId));
  return send(res, 204);
}

function listApplications(fake: FakeGraph, url: URL, res: ServerResponse) {
  const filter = url.searchParams.get('$filter') ?? '';
  const match = /^(displayName|appId) eq '((?:[^']|'')*)'$/.exec(filter);
  if (!match) {
    return sendError(res, {
      status: 400,
      code: 'Request_UnsupportedQuery',
      message: 'Unsupported or invalid query filter clause specified for property',
    });
  }
  const [, property = '', literal = ''] = match;
  const value = literal.replaceAll("''", "'");
  const found = [...fake.applications.values()].filter((a) => a[property] === value);
  return send(res, 200, {
    '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#applications',
    value: found,
  });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}
