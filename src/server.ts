/**
 * The entry point: `npm start`. Reads the configuration, starts the development identity
 * provider when no tenant is configured, and serves the app.
 */
import { buildApp } from './app.js';
import { loadConfig, type Config } from './config.js';
import { readAccountsFile } from './dev-idp/accounts.js';
import { startDevIdp, type DevIdp } from './dev-idp/dev-idp.js';
import { isAppError } from './errors.js';
import { loadTls } from './local-tls.js';

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

  let devIdp: DevIdp | null = null;
  if (config.devIdp) {
    devIdp = await startDevIdp({
      port: config.devIdp.port,
      nodeEnv: config.nodeEnv,
      tenantId: config.devIdp.tenantId,
      clientId: config.oidc.clientId,
      clientSecret: config.oidc.clientSecret,
      redirectUris: [config.redirectUri],
      postLogoutRedirectUris: [config.postSignOutRedirectUri],
      extraAccounts:
        config.devIdp.accountsFile === undefined
          ? []
          : readAccountsFile(config.devIdp.accountsFile),
    });
  }

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

  const shutdown = (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    void Promise.allSettled([app.close(), devIdp?.close()]).then(() => process.exit(0));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `entra-signin could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
