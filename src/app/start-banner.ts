import type { Config } from './config.js';
import { isLoopbackHost } from '../core/loopback.js';

/**
 * Prints where the app runs and how to sign in, once the app listens (with WORKERS above 1, once
 * all workers do: the primary prints it, not each worker). `devIdpIssuer` is the development
 * identity provider's issuer when it runs.
 */
export function printStartBanner(config: Config, devIdpIssuer: string | null): void {
  const lines = [
    '',
    `  entra-signin is running: open ${config.baseUrl}`,
    devIdpIssuer !== null
      ? `  Development identity provider at ${devIdpIssuer}\n  Sign in as alice@contoso.test or bob@contoso.test, password Passw0rd!`
      : `  Signing in through ${config.oidc.authority}`,
    ...(config.workers > 1 ? [`  Served by ${config.workers} worker processes`] : []),
    `  Redirect URI to register: ${config.redirectUri}`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (devIdpIssuer !== null && !isLoopbackHost(config.host)) {
    // Without NODE_ENV=production and a tenant, a deployment silently ran the demo provider.
    process.stderr.write(
      `\n  WARNING: no tenant is configured, so people sign in through the DEVELOPMENT identity provider,\n  with public demo passwords, while HOST=${config.host} serves other machines. Set TENANT_ID,\n  CLIENT_ID and CLIENT_SECRET (and NODE_ENV=production) before anyone else uses this app.\n\n`,
    );
  }
}
