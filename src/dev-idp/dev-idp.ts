import { generateKeyPairSync, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { demoAccounts, findAccountByCredentials, type DevAccount } from './accounts.js';
import {
  renderErrorPage,
  renderLoggedOutPage,
  renderLoginPage,
  renderLogoutPage,
} from './pages.js';

/** The development identity provider's client registration and port. */
export interface DevIdpOptions {
  /** Port to listen on; 0 picks a free one. */
  readonly port: number;
  readonly nodeEnv: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /**
   * A client certificate (PEM): the client then authenticates with assertions signed by its key
   * (private_key_jwt), as with a certificate credential in Entra, instead of the secret.
   */
  readonly clientCertificatePem?: string;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
  /** Accounts besides the demo ones. */
  readonly extraAccounts?: readonly DevAccount[];
  /**
   * The client authentication methods the provider offers (and lists in its discovery document);
   * by default those Entra offers. Tests narrow it to play a provider that takes only one.
   */
  readonly clientAuthMethods?: readonly ('client_secret_basic' | 'client_secret_post')[];
}

/** A running development identity provider. */
export interface DevIdp {
  /** The issuer, shaped like Entra's: `http://127.0.0.1:PORT/{tenant-id}/v2.0`. */
  readonly issuer: string;
  readonly port: number;
  close(): Promise<void>;
}

const MAX_FORM_BYTES = 16 * 1024;

/**
 * Starts the development identity provider: oidc-provider shaped like Entra ID's v2.0 endpoints,
 * with demo accounts and a plain sign-in form. It refuses to start in production.
 */
export async function startDevIdp(options: DevIdpOptions): Promise<DevIdp> {
  // Belt and braces: config already refuses it, but this module must never serve in production.
  if (options.nodeEnv === 'production') {
    throw new Error('The development identity provider refuses to run with NODE_ENV=production');
  }
  const accounts = [...demoAccounts, ...(options.extraAccounts ?? [])];
  const mountPath = `/${options.tenantId}/v2.0`;
  const server = createServer();
  // A fixed loopback address, not "localhost": that name may resolve to ::1 for one client and
  // 127.0.0.1 for another, and the issuer must be one exact string.
  await listen(server, options.port, '127.0.0.1');
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}${mountPath}`;
  const provider = new Provider(issuer, providerConfiguration(options, accounts));
  provider.on('server_error', (_ctx: unknown, error: Error) => {
    process.stderr.write(`development identity provider: ${error.message}\n`);
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(provider, req, res, { mountPath, accounts, clientId: options.clientId }).catch(
      (error: unknown) => {
        sendHtml(res, 500, renderErrorPage('server_error', errorMessage(error)));
      },
    );
  });
  return {
    issuer,
    port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function providerConfiguration(options: DevIdpOptions, accounts: DevAccount[]): Configuration {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = {
    ...privateKey.export({ format: 'jwk' }),
    kid: randomUUID(),
    alg: 'RS256',
    use: 'sig',
  };
  return {
    clients: [
      {
        client_id: options.clientId,
        ...clientAuthenticationOf(options),
        redirect_uris: [...options.redirectUris],
        post_logout_redirect_uris: [...options.postLogoutRedirectUris],
        response_types: ['code'],
        // client_credentials lets `npm run doctor` check the client's credentials the way it
        // checks them against Entra (a token request for https://graph.microsoft.com/.default).
        grant_types: ['authorization_code', 'client_credentials'],
        id_token_signed_response_alg: 'RS256',
      },
    ],
    jwks: { keys: [signingKey] },
    ...(options.clientAuthMethods === undefined
      ? {}
      : { clientAuthMethods: [...options.clientAuthMethods, 'private_key_jwt'] }),
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    // Entra's v2.0 ID tokens carry these; we put them in the ID token, not only in userinfo.
    claims: {
      openid: ['sub', 'oid', 'tid', 'ver'],
      profile: ['name', 'preferred_username'],
      email: ['email'],
    },
    conformIdTokenClaims: false,
    findAccount: (_ctx, id) => {
      const account = accounts.find((a) => a.oid === id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: account.oid,
          oid: account.oid,
          tid: options.tenantId,
          ver: '2.0',
          name: account.name,
          preferred_username: account.username,
          email: account.email,
        }),
      };
    },
    // First-party app: consent is implied, as when an administrator consented for the tenant.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = session.grantIdFor(client.clientId);
      if (grantId !== undefined) {
        const existing = await ctx.oidc.provider.Grant.find(grantId);
        if (existing) return existing;
      }
      const grant = new ctx.oidc.provider.Grant({
        clientId: client.clientId,
        accountId: session.accountId,
      });
      grant.addOIDCScope('openid profile email');
      await grant.save();
      return grant;
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.type = 'html';
          ctx.body = renderLogoutPage(form, ctx.host);
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.type = 'html';
          ctx.body = renderLoggedOutPage();
        },
      },
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = renderErrorPage(out.error, out.error_description);
    },
    ttl: {
      AccessToken: 3600,
      ClientCredentials: 600,
      IdToken: 3600,
      Interaction: 3600,
      Session: 86400,
      Grant: 86400,
    },
  };
}

interface Context {
  mountPath: string;
  accounts: DevAccount[];
  clientId: string;
}

async function handle(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  context: Context,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname.startsWith(`${context.mountPath}/`)) {
    // oidc-provider works out its mount path from originalUrl, as behind Express's app.use().
    Object.assign(req, { originalUrl: req.url });
    req.url = (req.url ?? '/').slice(context.mountPath.length);
    await provider.callback()(req, res);
    return;
  }
  const interaction = /^\/interaction\/([\w-]+)(?:\/(login|abort))?$/.exec(url.pathname);
  if (interaction) {
    await handleInteraction(provider, req, res, context, interaction[2]);
    return;
  }
  if (url.pathname === '/') {
    sendHtml(
      res,
      200,
      renderErrorPage(
        'not_a_page',
        `Discovery is at ${context.mountPath}/.well-known/openid-configuration`,
      ),
    );
    return;
  }
  sendHtml(res, 404, renderErrorPage('not_found', 'There is no page at this address.'));
}

async function handleInteraction(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  context: Context,
  action: string | undefined,
): Promise<void> {
  let details: Awaited<ReturnType<Provider['interactionDetails']>>;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    sendHtml(
      res,
      400,
      renderErrorPage(
        'interaction_expired',
        'This sign-in page has expired. Go back to the app and sign in again.',
      ),
    );
    return;
  }
  const page = {
    action: `/interaction/${details.uid}/login`,
    abortAction: `/interaction/${details.uid}/abort`,
    accounts: context.accounts,
    clientId:
      typeof details.params['client_id'] === 'string'
        ? details.params['client_id']
        : context.clientId,
  };
  if (req.method === 'GET' && action === undefined) {
    sendHtml(res, 200, renderLoginPage(page));
    return;
  }
  if (req.method !== 'POST') {
    sendHtml(res, 405, renderErrorPage('method_not_allowed', 'Use the form on the sign-in page.'));
    return;
  }
  if (action === 'abort') {
    await provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'The user cancelled the sign-in.' },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const form = new URLSearchParams(await readBody(req));
  const username = form.get('username') ?? '';
  const account = findAccountByCredentials(context.accounts, username, form.get('password') ?? '');
  if (!account) {
    sendHtml(
      res,
      200,
      renderLoginPage({
        ...page,
        username,
        error: 'That username and password do not match an account.',
      }),
    );
    return;
  }
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: account.oid } },
    { mergeWithLastSubmission: false },
  );
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) {
        reject(new Error('form too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendHtml(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(body);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : 'unexpected error';
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function clientAuthenticationOf(options: DevIdpOptions): Record<string, unknown> {
  if (options.clientCertificatePem === undefined) {
    return {
      client_secret: options.clientSecret,
      token_endpoint_auth_method: options.clientAuthMethods?.[0] ?? 'client_secret_post',
    };
  }
  const publicKey = new X509Certificate(options.clientCertificatePem).publicKey;
  return {
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'RS256',
    jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig' }] },
  };
}
