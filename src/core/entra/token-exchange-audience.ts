import { GLOBAL_CLOUD, microsoftCloudOf } from './microsoft-clouds.js';

/**
 * The audience a token must carry to be accepted as a federated credential in the cloud of
 * `authority`: what a managed identity's token is asked for (its `resource`), and the one value
 * of a federated identity credential's `audiences`. `api://AzureADTokenExchange` outside the US
 * Government and China clouds, and for any provider other than Entra.
 *
 * @see https://learn.microsoft.com/entra/workload-id/workload-identities-federation-config-app-trust-managed-identity
 */
export function tokenExchangeAudienceFor(authority: string): string {
  const host = URL.canParse(authority) ? new URL(authority).hostname : '';
  return (microsoftCloudOf(host) ?? GLOBAL_CLOUD).tokenExchangeAudience;
}
