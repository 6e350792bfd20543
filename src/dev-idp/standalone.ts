/**
 * `npm run dev-idp`: the development identity provider on its own, for app instances that share
 * it (several instances behind a proxy, or an app started separately). It registers the app's
 * client for BASE_URL's origins, keeps its client secret and signing key in DATA_DIR across
 * restarts, and prints (or writes with `--write-env`) the settings each instance needs.
 */
import { join } from 'node:path';
import { readDotEnv } from '../app/config.js';
import { isAppError } from '../core/errors.js';
import { DEV_CLIENT_ID, DEV_TENANT_ID } from '../core/options.js';
import { readAccountsFile } from './accounts.js';
import { startDevIdp, type DevIdp } from './dev-idp.js';
import { keptClientSecret, keptSigningKey, SECRET_FILE, writeEnvFile } from './standalone-files.js';
import {
  readStandaloneSettings,
  STANDALONE_HELP,
  type StandaloneSettings,
} from './standalone-settings.js';

async function main(): Promise<void> {
  const cwd = process.cwd();
  let settings: StandaloneSettings | null;
  try {
    // As the app reads them: the environment wins over `.env` in the current folder.
    settings = readStandaloneSettings(
      process.argv.slice(2),
      { ...readDotEnv(cwd), ...process.env },
      cwd,
    );
  } catch (error) {
    if (!isAppError(error)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  if (settings === null) {
    process.stdout.write(`${STANDALONE_HELP}\n`);
    return;
  }
  const clientSecret = settings.clientSecret ?? keptClientSecret(settings.dataDir);
  const idp = await startOrExplain(settings, clientSecret);
  const appSettings = {
    AUTHORITY: idp.issuer,
    CLIENT_ID: DEV_CLIENT_ID,
    CLIENT_SECRET: clientSecret,
    // Not Entra's host, so the app would ask for no API scope and have no Graph: name the fake.
    GRAPH_URL: idp.graphUrl,
    API_SCOPES: 'User.Read',
  };
  const out: string[] = [
    `Development identity provider at ${idp.issuer}`,
    `  Redirect URIs: ${settings.redirectUris.join(', ')}`,
    '  Sign in as alice@contoso.test or bob@contoso.test, password Passw0rd!',
    `  Client secret: ${settings.clientSecret === undefined ? `kept in ${join(settings.dataDir, SECRET_FILE)}` : 'DEV_IDP_CLIENT_SECRET'}`,
    '',
  ];
  if (settings.envFile === undefined) {
    out.push(
      'Give every app instance these settings (in its .env or environment; no TENANT_ID):',
      '',
      ...Object.entries(appSettings).map(([name, value]) => `${name}=${value}`),
    );
  } else {
    const commented = writeEnvFile(settings.envFile, appSettings);
    out.push(
      `Wrote ${Object.keys(appSettings).join(', ')} to ${settings.envFile} (mode 0600).`,
      ...(commented ? ['Its TENANT_ID line is commented out: AUTHORITY names this provider.'] : []),
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);

  const stop = (signal: NodeJS.Signals) => {
    process.stdout.write(`Development identity provider stopping (${signal})\n`);
    void idp.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function startOrExplain(settings: StandaloneSettings, clientSecret: string): Promise<DevIdp> {
  try {
    return await startDevIdp({
      port: settings.port,
      host: settings.host,
      nodeEnv: settings.nodeEnv,
      tenantId: DEV_TENANT_ID,
      clientId: DEV_CLIENT_ID,
      clientSecret,
      signingKey: keptSigningKey(settings.dataDir),
      redirectUris: settings.redirectUris,
      postLogoutRedirectUris: settings.postLogoutRedirectUris,
      extraAccounts:
        settings.accountsFile === undefined ? [] : readAccountsFile(settings.accountsFile),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(
        `port ${settings.port} on ${settings.host} is in use (another npm run dev-idp, or npm start with no AUTHORITY, which starts its own provider on PORT+1): set DEV_IDP_PORT to a free port`,
        { cause: error },
      );
    }
    throw error;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `The development identity provider could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
