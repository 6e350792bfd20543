import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { isLoopbackHost } from '../core/loopback.js';
import { demoAccounts } from './accounts.js';
import type { DevIdp, DevIdpOptions } from './dev-idp-options.js';
import { createGraphFake, handleGraphRequest, type GraphFake } from './graph-fake.js';
import { devGraphUrl } from './graph-resource.js';
import { addEntraConsentFields, withConsentPromptForOfflineAccess } from './grants.js';
import { sendHtml } from './http-replies.js';
import { handleInteraction, INTERACTION_PATH, type InteractionContext } from './interactions.js';
import { renderErrorPage } from './pages.js';
import { DEFAULT_CLIENT_NAME, providerConfiguration } from './provider-configuration.js';

export type { DevIdp, DevIdpOptions, DevSigningKey } from './dev-idp-options.js';
export { devGraphUrl } from './graph-resource.js';

/**
 * Starts the development identity provider: oidc-provider shaped like Entra ID's v2.0 endpoints,
 * with demo accounts, a plain sign-in form, a consent page, and a development fake of Microsoft
 * Graph at its origin (`/v1.0/me`, …). It refuses to start in production.
 */
export async function startDevIdp(options: DevIdpOptions): Promise<DevIdp> {
  // Belt and braces: config already refuses it, but this module must never serve in production.
  if (options.nodeEnv === 'production') {
    throw new Error('The development identity provider refuses to run with NODE_ENV=production');
  }
  // A fixed loopback address, not "localhost": that name may resolve to ::1 for one client and
  // 127.0.0.1 for another, and the issuer must be one exact string.
  const host = options.host ?? '127.0.0.1';
  if (isIP(host) === 0 || !isLoopbackHost(host)) {
    throw new Error(
      `The development identity provider listens on a loopback IP address only (such as 127.0.0.1 or ::1); you gave "${host}"`,
    );
  }
  const accounts = [...demoAccounts, ...(options.extraAccounts ?? [])];
  const mountPath = `/${options.tenantId}/v2.0`;
  const server = createServer();
  await listen(server, options.port, host);
  const port = (server.address() as AddressInfo).port;
  const graphUrl = devGraphUrl(port, host);
  const issuer = `${graphUrl}${mountPath}`;
  const provider = new Provider(issuer, providerConfiguration(options, accounts, graphUrl));
  provider.use(addEntraConsentFields);
  provider.on('server_error', (_ctx: unknown, error: Error) => {
    process.stderr.write(`development identity provider: ${error.message}\n`);
  });
  const routes: Routes = {
    mountPath,
    graph: createGraphFake(provider, graphUrl, accounts),
    interaction: {
      accounts,
      clientId: options.clientId,
      clientName: options.clientName ?? DEFAULT_CLIENT_NAME,
    },
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(provider, req, res, routes).catch((error: unknown) => {
      sendHtml(res, 500, renderErrorPage('server_error', errorMessage(error)));
    });
  });
  return {
    issuer,
    port,
    graphUrl,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Routes {
  readonly mountPath: string;
  readonly graph: GraphFake;
  readonly interaction: InteractionContext;
}

async function handle(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  routes: Routes,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const { mountPath } = routes;
  if (url.pathname.startsWith(`${mountPath}/`)) {
    if (req.method === 'GET' && url.pathname === `${mountPath}/auth`) {
      req.url = withConsentPromptForOfflineAccess(url) ?? req.url;
    }
    // oidc-provider works out its mount path from originalUrl, as behind Express's app.use().
    Object.assign(req, { originalUrl: req.url });
    req.url = (req.url ?? '/').slice(mountPath.length);
    await provider.callback()(req, res);
    return;
  }
  if (url.pathname === '/v1.0' || url.pathname.startsWith('/v1.0/')) {
    await handleGraphRequest(routes.graph, req, res, url);
    return;
  }
  const interaction = INTERACTION_PATH.exec(url.pathname);
  if (interaction) {
    await handleInteraction(provider, req, res, routes.interaction, interaction[2]);
    return;
  }
  if (url.pathname === '/') {
    sendHtml(
      res,
      200,
      renderErrorPage(
        'not_a_page',
        `Discovery is at ${mountPath}/.well-known/openid-configuration`,
      ),
    );
    return;
  }
  sendHtml(res, 404, renderErrorPage('not_found', 'There is no page at this address.'));
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
