/**
 * The entry point: `npm start`. Reads the configuration, starts the development identity
 * provider when no tenant is configured, and serves the app.
 */
import { buildApp } from './build-app.js';
import { loadConfig, type Config } from './config.js';
import { isAppError } from '../core/errors.js';
import { isLoopbackHost } from '../core/loopback.js';
import { loadTls } from './local-tls.js';
import { stopOnSignals } from './shutdown.js';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (isAppError(error)) {
      process.stderr.write(`${error.message}\n\nSee the Settings section of README.md.\n`);
      process.exit(1);
    }
    throw error;
  }

  // Loaded only when it runs: oidc-provider warns about this Node version on being imported.
  const devIdp =
    config.devIdp === null
      ? null
      : await (await import('../dev-idp/start-for-options.js')).startDevIdpForOptions(config);

  const tls = await loadTls(config);
  const app = await buildApp(config, tls ? { https: tls } : {});
  await app.listen({ host: config.host, port: config.port });

  const lines = [
    '',
    `  entra-signin is running: open ${config.baseUrl}`,
    devIdp
      ? `  Development identity provider at ${devIdp.issuer}\n  Sign in as alice@contoso.test or bob@contoso.test, password Passw0rd!`
      : `  Signing in through ${config.oidc.authority}`,
    `  Redirect URI to register: ${config.redirectUri}`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (devIdp && !isLoopbackHost(config.host)) {
    // Without NODE_ENV=production and a tenant, a deployment silently ran the demo provider.
    process.stderr.write(
      `\n  WARNING: no tenant is configured, so people sign in through the DEVELOPMENT identity provider,\n  with public demo passwords, while HOST=${config.host} serves other machines. Set TENANT_ID,\n  CLIENT_ID and CLIENT_SECRET (and NODE_ENV=production) before anyone else uses this app.\n\n`,
    );
  }

  stopOnSignals(app, {
    timeoutMs: config.shutdownTimeoutMs,
    // After the app: a sign-in under way may still need the development provider's keys.
    ...(devIdp ? { closeAlso: () => devIdp.close() } : {}),
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `entra-signin could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
