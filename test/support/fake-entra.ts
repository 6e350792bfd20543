/**
 * A fake Microsoft Entra sign-in service on loopback, for what the development identity provider
 * cannot imitate: Entra's AADSTS error bodies (token and discovery errors) and the device code
 * flow. Bodies are shaped like Entra's (`error`, `error_description` starting with the AADSTS code,
 * `error_codes`, trace and correlation ids).
 * See https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The AADSTS errors the fake can answer with, and where. */
export type FakeEntraError = 'AADSTS7000215' | 'AADSTS7000222' | 'AADSTS700016' | 'AADSTS90002';

export interface FakeEntraOptions {
  readonly tenantId: string;
  /** The error to answer with: 90002 on discovery, the others on the token endpoint. */
  readonly error?: FakeEntraError;
  /** For the device code flow: how many polls answer `authorization_pending` first. */
  readonly pendingPolls?: number;
  /** The access token the device code flow ends with. */
  readonly accessToken?: string;
}

export interface FakeEntra {
  /** `http://127.0.0.1:PORT/{tenant}/v2.0`, for AUTHORITY. */
  readonly authority: string;
  /** The form bodies the token and device code endpoints received. */
  readonly requests: URLSearchParams[];
  close(): Promise<void>;
}

const statusAndText: Record<FakeEntraError, [number, string, string]> = {
  AADSTS7000215: [
    401,
    'invalid_client',
    "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client}'.",
  ],
  AADSTS7000222: [
    401,
    'invalid_client',
    "AADSTS7000222: The provided client secret keys for app '{client}' are expired. Visit the Azure portal to create new keys for your app.",
  ],
  AADSTS700016: [
    400,
    'unauthorized_client',
    "AADSTS700016: Application with identifier '{client}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
  ],
  AADSTS90002: [
    400,
    'invalid_tenant',
    "AADSTS90002: Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.",
  ],
};

/** Starts the fake on a free loopback port. */
export async function startFakeEntra(options: FakeEntraOptions): Promise<FakeEntra> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const base = `/${options.tenantId}`;
  const requests: URLSearchParams[] = [];
  let polls = 0;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void readForm(req).then((form) => {
      const path = new URL(req.url ?? '/', origin).pathname;
      if (path === `${base}/v2.0/.well-known/openid-configuration`) {
        if (options.error === 'AADSTS90002') return sendEntraError(res, 'AADSTS90002', options, '');
        return send(res, 200, {
          token_endpoint: `${origin}${base}/oauth2/v2.0/token`,
          token_endpoint_auth_methods_supported: [
            'client_secret_post',
            'private_key_jwt',
            'client_secret_basic',
          ],
          jwks_uri: `${origin}${base}/discovery/v2.0/keys`,
          response_modes_supported: ['query', 'fragment', 'form_post'],
          subject_types_supported: ['pairwise'],
          id_token_signing_alg_values_supported: ['RS256'],
          response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
          scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
          issuer: `${origin}${base}/v2.0`,
          authorization_endpoint: `${origin}${base}/oauth2/v2.0/authorize`,
          device_authorization_endpoint: `${origin}${base}/oauth2/v2.0/devicecode`,
          end_session_endpoint: `${origin}${base}/oauth2/v2.0/logout`,
          tenant_region_scope: 'EU',
        });
      }
      requests.push(form);
      if (path === `${base}/oauth2/v2.0/devicecode`) {
        return send(res, 200, {
          user_code: 'FAKE-CODE',
          device_code: randomUUID(),
          verification_uri: 'https://microsoft.com/devicelogin',
          expires_in: 900,
          interval: 1,
          message:
            'To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code FAKE-CODE to authenticate.',
        });
      }
      if (path !== `${base}/oauth2/v2.0/token`) return send(res, 404, {});
      if (form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:device_code') {
        if (polls++ < (options.pendingPolls ?? 0)) {
          return send(res, 400, {
            error: 'authorization_pending',
            error_description:
              'AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.',
            error_codes: [70016],
          });
        }
        return send(res, 200, tokenBody(options.accessToken ?? 'fake-graph-token'));
      }
      if (options.error !== undefined && options.error !== 'AADSTS90002') {
        return sendEntraError(res, options.error, options, form.get('client_id') ?? '');
      }
      return send(res, 200, tokenBody('fake-app-token'));
    });
  });
  return {
    authority: `${origin}${base}/v2.0`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function tokenBody(accessToken: string) {
  return {
    token_type: 'Bearer',
    expires_in: 3599,
    ext_expires_in: 3599,
    access_token: accessToken,
  };
}

function sendEntraError(
  res: ServerResponse,
  code: FakeEntraError,
  options: FakeEntraOptions,
  clientId: string,
): void {
  const [status, error, text] = statusAndText[code];
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z';
  send(res, status, {
    error,
    error_description: `${text.replace('{client}', clientId).replace('{tenant}', options.tenantId)} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [Number(code.slice('AADSTS'.length))],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code.slice('AADSTS'.length)}`,
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(JSON.stringify(body));
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
