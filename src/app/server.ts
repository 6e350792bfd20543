/**
 * The entry point: `npm start`. Reads the configuration, starts the development identity
 * provider when no tenant is configured, and serves the app.
 */
import { buildApp } from './build-app.js';
import { loadConfig, type Config } from './config.js';
import { startDevIdpFor } from '../dev-idp/start-for-config.js';
import { isAppError } from '../core/errors.js';
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

  const devIdp = await startDevIdpFor(config);

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
