/**
 * `npm run unregister`: deletes the app registration (the one `.env` names, or the one with the
 * given name after confirmation) and removes its settings from `.env`.
 */
import type { CliSettings } from '../../app/config.js';
import {
  deleteApplication,
  findApplicationByAppId,
  findApplicationsByName,
  type GraphApplication,
} from './applications.js';
import {
  REGISTRATION_KEYS,
  checkEnvFileEditable,
  readEnvFile,
  updateEnvFile,
  type EnvChanges,
} from './env-file.js';
import { graphClientFor, type GraphClient } from './graph-client.js';
import { obtainGraphToken, type DeviceCodePrompt } from './graph-token.js';
import type { Progress } from './progress.js';
import { RegistrationRefused } from './register.js';

/** What unregister works on and how it asks before deleting. */
export interface UnregisterOptions {
  readonly settings: CliSettings;
  /** The display name to look for when `.env` has no CLIENT_ID. */
  readonly name: string;
  /** Asks the person a yes/no question; used before deleting an application found by name. */
  readonly confirm: (question: string) => Promise<boolean>;
  readonly progress: Progress;
  readonly onDeviceCode: (prompt: DeviceCodePrompt) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** What was done. */
export interface UnregisterResult {
  /** The client id of the deleted application, or `null` when none was deleted. */
  readonly deletedAppId: string | null;
  readonly envKeysRemoved: readonly string[];
  readonly backupFile: string | null;
}

/** Unregisters the app; see the module comment. */
export async function unregisterApplication(options: UnregisterOptions): Promise<UnregisterResult> {
  const { settings, progress } = options;
  progress.step('Signing in to Microsoft Graph');
  const token = await obtainGraphToken(settings, options.onDeviceCode);
  progress.done(`Using the token from ${token.source}`);
  const graph = graphClientFor(settings.graphUrl, token.accessToken, progress, options.sleep);

  const env = readEnvFile(settings.envFile);
  const present = REGISTRATION_KEYS.filter((key) => env[key] !== undefined);
  // Before deleting anything: a registration deleted while its settings stay in .env is worse
  // than both left as they are.
  if (present.length > 0) checkEnvFileEditable(settings.envFile);
  const clientId = env['CLIENT_ID'];
  let app: GraphApplication | null;
  if (clientId !== undefined && clientId !== '') {
    progress.step(`Looking for the application with client id ${clientId} (from .env)`);
    app = await findApplicationByAppId(graph, clientId);
    if (app !== null) progress.done(`Found "${app.displayName ?? app.appId}"`);
  } else {
    app = await findByNameWithConfirmation(graph, options);
  }

  let deletedAppId: string | null = null;
  if (app === null) {
    progress.note('No such application: nothing to delete');
  } else {
    progress.step(`Deleting "${app.displayName ?? app.appId}" (client id ${app.appId})`);
    const deleted = await deleteApplication(graph, app.id);
    progress.done(deleted ? 'Deleted' : 'It was already gone');
    deletedAppId = app.appId;
  }

  if (present.length === 0) return { deletedAppId, envKeysRemoved: [], backupFile: null };
  progress.step(`Removing ${present.join(', ')} from ${settings.envFile}`);
  const changes: EnvChanges = Object.fromEntries(present.map((key) => [key, null]));
  const backupFile = updateEnvFile(settings.envFile, changes);
  progress.done(`Removed; the previous file is in ${backupFile ?? settings.envFile}`);
  return { deletedAppId, envKeysRemoved: present, backupFile };
}

async function findByNameWithConfirmation(
  graph: GraphClient,
  options: UnregisterOptions,
): Promise<GraphApplication | null> {
  options.progress.step(`No CLIENT_ID in .env: looking for an application named "${options.name}"`);
  const found = await findApplicationsByName(graph, options.name);
  if (found.length > 1) {
    throw new RegistrationRefused(
      `${found.length} applications are named "${options.name}": delete the one you mean in the Entra admin center, or put its client id in .env as CLIENT_ID and run this again.`,
    );
  }
  const app = found[0];
  if (app === undefined) return null;
  const sure = await options.confirm(
    `Delete the application "${options.name}" (client id ${app.appId})? Entra keeps it restorable under Deleted applications for 30 days.`,
  );
  if (!sure) throw new RegistrationRefused('Nothing was deleted.');
  return app;
}
