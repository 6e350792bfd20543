/**
 * A fake of Entra's token endpoint for workload identity federation, on loopback, in front of a
 * {@link HostileProvider}: it authenticates the client by its `client_assertion` the way Entra
 * documents it (the assertion's `iss`, `sub` and `aud` matched exactly against the registration's
 * federated identity credentials, then its signature and lifetime checked), answering with
 * Entra's AADSTS errors; an accepted client's code and refresh grants go on to the provider (with
 * the provider's own secret), and a client credentials grant is answered here.
 * See https://learn.microsoft.com/entra/workload-id/workload-identity-federation and
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow#third-case-access-token-request-with-a-federated-credential.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  decodeJwt,
  errors as joseErrors,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWTPayload,
} from 'jose';
import type { HostileProvider } from './hostile-provider.js';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** An issuer of workload tokens (an AKS cluster's OIDC issuer, a tenant's managed identities). */
export interface FakeTokenIssuer {
  readonly issuer: string;
  readonly publicKey: CryptoKey;
  /** A token for `sub` and `aud`, living `lifetimeSeconds` (default an hour) from `now`. */
  sign(claims: {
    sub: string;
    aud: string;
    lifetimeSeconds?: number;
    now?: number;
    extra?: JWTPayload;
  }): Promise<string>;
}

/** Makes an issuer with a key of its own. */
export async function fakeTokenIssuer(issuer: string): Promise<FakeTokenIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = randomUUID();
  return {
    issuer,
    publicKey,
    sign: ({ sub, aud, lifetimeSeconds = 3600, now = Date.now(), extra = {} }) => {
      const iat = Math.floor(now / 1000);
      return new SignJWT({ ...extra, jti: randomUUID() })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
        .setIssuer(issuer)
        .setSubject(sub)
        .setAudience(aud)
        .setIssuedAt(iat)
        .setNotBefore(iat)
        .setExpirationTime(iat + lifetimeSeconds)
        .sign(privateKey);
    },
  };
}

/** A federated identity credential of the fake registration. */
export interface FakeFederatedCredential {
  readonly issuer: string;
  readonly subject: string;
  readonly audiences: readonly string[];
}

export interface FakeFederatedEntra {
  /** Where the provider's discovery document now sends token requests. */
  readonly tokenEndpoint: string;
  /** Every client assertion presented, in order (accepted or not). */
  readonly assertions: string[];
  /** The registration's federated credentials; tests change them. */
  credentials: FakeFederatedCredential[];
  close(): Promise<void>;
}

/**
 * Starts the fake and points `provider`'s discovery document at it, for the registration
 * `clientId` with `credentials`, trusting the keys of `issuers`.
 */
export async function startFakeFederatedEntra(
  provider: HostileProvider,
  options: {
    readonly clientId: string;
    readonly issuers: readonly FakeTokenIssuer[];
    readonly credentials: readonly FakeFederatedCredential[];
  },
): Promise<FakeFederatedEntra> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fake: FakeFederatedEntra = {
    tokenEndpoint: `${origin}/${provider.tenant}/oauth2/v2.0/token`,
    assertions: [],
    credentials: [...options.credentials],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    void readForm(request)
      .then((form) => answer(fake, provider, options, form, response))
      .catch((error: unknown) => response.writeHead(500).end(String(error)));
  });
  const honest = provider.bends.discovery;
  provider.bends.discovery = (document) => ({
    ...(honest(document) as Record<string, unknown>),
    token_endpoint: fake.tokenEndpoint,
  });
  return fake;
}

async function answer(
  fake: FakeFederatedEntra,
  provider: HostileProvider,
  options: { readonly clientId: string; readonly issuers: readonly FakeTokenIssuer[] },
  form: URLSearchParams,
  response: ServerResponse,
): Promise<void> {
  const assertion = form.get('client_assertion');
  if (form.get('client_assertion_type') !== JWT_BEARER || assertion === null) {
    return refuse(
      response,
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
  }
  fake.assertions.push(assertion);
  if (form.get('client_id') !== options.clientId) {
    return refuse(
      response,
      700016,
      `Application with identifier '${form.get('client_id') ?? ''}' was not found in the directory.`,
    );
  }
  const refusal = await checkAssertion(assertion, fake.credentials, options.issuers);
  if (refusal !== null) return refuse(response, refusal.code, refusal.text);
  if (form.get('grant_type') === 'client_credentials') {
    return send(response, 200, {
      token_type: 'Bearer',
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: `fake-app-token-${randomUUID()}`,
    });
  }
  // Accepted: the provider does the grant, authenticating the client by its own rule.
  form.delete('client_assertion');
  form.delete('client_assertion_type');
  form.set('client_secret', provider.options.clientSecret);
  const upstream = await fetch(`${provider.origin}/${provider.tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  response
    .writeHead(upstream.status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end(await upstream.text());
}

// Entra's order: the federated credential is found by the assertion's claims (issuer first),
// then the assertion is validated with the issuer's keys.
async function checkAssertion(
  assertion: string,
  credentials: readonly FakeFederatedCredential[],
  issuers: readonly FakeTokenIssuer[],
): Promise<{ code: number; text: string } | null> {
  let claims: JWTPayload;
  try {
    claims = decodeJwt(assertion);
  } catch {
    return { code: 50027, text: 'JWT token is invalid or malformed.' };
  }
  const check =
    'Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation';
  const byIssuer = credentials.filter((c) => c.issuer === claims.iss);
  if (byIssuer.length === 0) {
    return {
      code: 700211,
      text: `No matching federated identity record found for presented assertion issuer '${String(claims.iss)}'. ${check}`,
    };
  }
  const bySubject = byIssuer.filter((c) => c.subject === claims.sub);
  if (bySubject.length === 0) {
    return {
      code: 700213,
      text: `No matching federated identity record found for presented assertion subject '${String(claims.sub)}'. ${check}`,
    };
  }
  const audiences = typeof claims.aud === 'string' ? [claims.aud] : (claims.aud ?? []);
  if (!bySubject.some((c) => c.audiences.some((a) => audiences.includes(a)))) {
    return {
      code: 700212,
      text: `No matching federated identity record found for presented assertion audience '${audiences.join(',')}'. ${check}`,
    };
  }
  const key = issuers.find((i) => i.issuer === claims.iss)?.publicKey;
  if (key === undefined) return { code: 50166, text: 'Request to External OIDC endpoint failed.' };
  try {
    await jwtVerify(assertion, key, { issuer: String(claims.iss) });
  } catch (error) {
    return error instanceof joseErrors.JWTExpired
      ? { code: 700024, text: 'Client assertion is not within its valid time range.' }
      : { code: 700027, text: 'Client assertion failed signature validation.' };
  }
  return null;
}

// Entra's error body (`error_description` starting with the AADSTS code, `error_codes`, ids).
function refuse(response: ServerResponse, code: number, text: string): void {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z';
  send(response, 401, {
    error: 'invalid_client',
    error_description: `AADSTS${code}: ${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response
    .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
