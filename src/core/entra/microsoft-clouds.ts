/**
 * The Microsoft clouds, keyed by the host people sign in at: each has its own Microsoft Graph
 * (a token from one is refused by the others) and its own token exchange audience for federated
 * credentials.
 *
 * @see https://learn.microsoft.com/graph/deployments#microsoft-graph-and-graph-explorer-service-root-endpoints
 * @see https://learn.microsoft.com/entra/workload-id/workload-identities-federation-config-app-trust-managed-identity
 */

/** What differs from one Microsoft cloud to another. */
export interface MicrosoftCloud {
  /** Microsoft Graph's origin in this cloud, without the version. */
  readonly graphUrl: string;
  /** The audience a federated credential's token carries (`audiences` of the credential). */
  readonly tokenExchangeAudience: string;
}

/** The global cloud's: also what any other Entra host (a CIAM tenant's) uses. */
export const GLOBAL_CLOUD: MicrosoftCloud = Object.freeze({
  graphUrl: 'https://graph.microsoft.com',
  tokenExchangeAudience: 'api://AzureADTokenExchange',
});

const US_GOVERNMENT: MicrosoftCloud = Object.freeze({
  graphUrl: 'https://graph.microsoft.us',
  tokenExchangeAudience: 'api://AzureADTokenExchangeUSGov',
});

// Operated by 21Vianet; it answers at two sign-in hosts.
const CHINA: MicrosoftCloud = Object.freeze({
  graphUrl: 'https://microsoftgraph.chinacloudapi.cn',
  tokenExchangeAudience: 'api://AzureADTokenExchangeChina',
});

const CLOUDS: Readonly<Record<string, MicrosoftCloud>> = Object.freeze({
  'login.microsoftonline.com': GLOBAL_CLOUD,
  'login.microsoftonline.us': US_GOVERNMENT,
  'login.partner.microsoftonline.cn': CHINA,
  'login.chinacloudapi.cn': CHINA,
});

/** The Microsoft cloud whose sign-in host is `host`, or `undefined` for any other host. */
export function microsoftCloudOf(host: string): MicrosoftCloud | undefined {
  return Object.hasOwn(CLOUDS, host) ? CLOUDS[host] : undefined;
}
