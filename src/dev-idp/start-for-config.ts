import type { Config } from '../app/config.js';
import { readAccountsFile } from './accounts.js';
import { startDevIdp, type DevIdp } from './dev-idp.js';

/**
 * Starts the development identity provider that a configuration asks for, registered with the
 * app's client id, secret and redirect URIs; `null` when the configuration names a real provider.
 */
export async function startDevIdpFor(config: Config): Promise<DevIdp | null> {
  if (!config.devIdp) return null;
  return startDevIdp({
    port: config.devIdp.port,
    nodeEnv: config.nodeEnv,
    tenantId: config.devIdp.tenantId,
    clientId: config.oidc.clientId,
    clientSecret: config.oidc.clientSecret,
    redirectUris: [config.redirectUri],
    postLogoutRedirectUris: [config.postSignOutRedirectUri],
    extraAccounts:
      config.devIdp.accountsFile === undefined ? [] : readAccountsFile(config.devIdp.accountsFile),
  });
}
