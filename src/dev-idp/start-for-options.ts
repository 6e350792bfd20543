import type { ResolvedOptions } from '../core/options.js';
import { readAccountsFile } from './accounts.js';
import { startDevIdp, type DevIdp } from './dev-idp.js';

/**
 * Starts the development identity provider that resolved options name, registered with their
 * client id, secret and redirect URIs. Throws when the options name a real provider.
 */
export async function startDevIdpForOptions(options: ResolvedOptions): Promise<DevIdp> {
  if (options.devIdp === null) throw new Error('These options name a real identity provider');
  return startDevIdp({
    port: options.devIdp.port,
    nodeEnv: options.production ? 'production' : 'development',
    tenantId: options.devIdp.tenantId,
    clientId: options.oidc.clientId,
    clientSecret: options.oidc.clientSecret,
    redirectUris: [options.redirectUri],
    postLogoutRedirectUris: [options.postSignOutRedirectUri],
    extraAccounts:
      options.devIdp.accountsFile === undefined
        ? []
        : readAccountsFile(options.devIdp.accountsFile),
  });
}
