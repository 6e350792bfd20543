/**
 * A fake of the managed identity endpoint of App Service, Azure Functions and Container Apps
 * (`IDENTITY_ENDPOINT`), on loopback, written from Microsoft's description of its REST protocol:
 * `GET {IDENTITY_ENDPOINT}?resource=…&api-version=2019-08-01&client_id=…` with the header
 * `X-IDENTITY-HEADER: {IDENTITY_HEADER}`, answered with `{ access_token, expires_on (epoch
 * seconds, as a string), resource, token_type, client_id }`, errors as `{ statusCode, message }`.
 * The token is a JWT of the tenant's issuer for the identity's object id, as Entra issues them.
 * See https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference.
 */
import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeTokenIssuer, type FakeTokenIssuer } from './fake-federated-entra.js';

/** How the endpoint behaves: answers, drops every connection, or answers with an error status. */
export type FakeEndpointMode =
  'up' | 'down' | { readonly status: number; readonly message: string };

export interface FakeManagedIdentityEndpoint {
  /** For IDENTITY_ENDPOINT. */
  readonly url: string;
  /** For IDENTITY_HEADER: the only value the endpoint accepts. */
  readonly identityHeader: string;
  /** The user-assigned identity's client id (MANAGED_IDENTITY_CLIENT_ID). */
  readonly clientId: string;
  /** Its object (principal) id: the `sub` of its tokens. */
  readonly principalId: string;
  /** The tenant's issuer that signs its tokens; Entra's fake trusts it. */
  readonly issuer: FakeTokenIssuer;
  /** Every request, in order. */
  readonly requests: { readonly url: URL; readonly headers: IncomingHttpHeaders }[];
  /** Every token handed out, in order. */
  readonly issued: string[];
  mode: FakeEndpointMode;
  /** How long the tokens it issues live. */
  lifetimeSeconds: number;
  close(): Promise<void>;
}

/** Starts the endpoint for one user-assigned identity of the tenant `tenantId`. */
export async function startFakeManagedIdentityEndpoint(
  tenantId: string,
): Promise<FakeManagedIdentityEndpoint> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const fake: FakeManagedIdentityEndpoint = {
    url: `http://127.0.0.1:${port}/msi/token`,
    identityHeader: randomUUID(),
    clientId: randomUUID(),
    principalId: randomUUID(),
    issuer: await fakeTokenIssuer(`https://login.microsoftonline.com/${tenantId}/v2.0`),
    requests: [],
    issued: [],
    mode: 'up',
    lifetimeSeconds: 86_400,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', fake.url);
    fake.requests.push({ url, headers: request.headers });
    if (fake.mode === 'down') {
      request.socket.destroy();
      return;
    }
    void answer(fake, request, url, tenantId).then(({ status, body }) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  return fake;
}

async function answer(
  fake: FakeManagedIdentityEndpoint,
  request: IncomingMessage,
  url: URL,
  tenantId: string,
): Promise<{ status: number; body: unknown }> {
  const failure = (status: number, message: string) => ({
    status,
    body: { statusCode: status, message, correlationId: randomUUID() },
  });
  if (typeof fake.mode === 'object') return failure(fake.mode.status, fake.mode.message);
  if (request.method !== 'GET' || url.pathname !== new URL(fake.url).pathname) {
    return failure(404, 'Not found.');
  }
  if (request.headers['x-identity-header'] !== fake.identityHeader) {
    return failure(400, 'The X-IDENTITY-HEADER header is missing or does not match.');
  }
  if (url.searchParams.get('api-version') !== '2019-08-01') {
    return failure(400, 'The api-version is missing or not supported.');
  }
  const resource = url.searchParams.get('resource');
  if (resource === null || resource === '') return failure(400, 'The resource is missing.');
  if (url.searchParams.get('client_id') !== fake.clientId) {
    return failure(400, 'Unable to load the proper Managed Identity.');
  }
  const now = Date.now();
  const token = await fake.issuer.sign({
    sub: fake.principalId,
    aud: resource,
    lifetimeSeconds: fake.lifetimeSeconds,
    now,
    extra: {
      oid: fake.principalId,
      tid: tenantId,
      appid: fake.clientId,
      azp: fake.clientId,
      idtyp: 'app',
    },
  });
  fake.issued.push(token);
  return {
    status: 200,
    body: {
      access_token: token,
      expires_on: String(Math.floor(now / 1000) + fake.lifetimeSeconds),
      resource,
      token_type: 'Bearer',
      client_id: fake.clientId,
    },
  };
}
