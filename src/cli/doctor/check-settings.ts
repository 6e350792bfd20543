/** The doctor's first check: the settings parse and fit together (the app's own schema). */
import {
  loadCliSettings,
  loadConfig,
  type CliSettings,
  type Config,
  type LoadConfigOptions,
} from '../../app/config.js';
import { isAppError } from '../../core/errors.js';
import type { CheckResult } from './check-result.js';
import { credentialKind } from './credential-names.js';

/** The result, and the parsed settings when they parse. */
export interface SettingsOutcome {
  readonly result: CheckResult;
  readonly config: Config | null;
  readonly cli: CliSettings | null;
}

const TITLE = 'Settings parse and are consistent';

/** Reads the settings exactly as `npm start` does. */
export function checkSettings(options: LoadConfigOptions): SettingsOutcome {
  let config: Config;
  let cli: CliSettings;
  try {
    config = loadConfig(options);
    cli = loadCliSettings(options);
  } catch (error) {
    if (!isAppError(error)) throw error;
    return {
      result: {
        title: TITLE,
        status: 'fail',
        detail: error.message.replace(/\n/g, '\n    '),
        fix: 'Change each setting named above (in the environment or .env); the Settings section of the README says what each one means.',
      },
      config: null,
      cli: null,
    };
  }
  const detail = config.devIdp
    ? `No TENANT_ID or AUTHORITY: the app will use the built-in development identity provider (npm start starts it). Run npm run register to use your tenant.`
    : `AUTHORITY ${config.oidc.authority}, CLIENT_ID ${config.oidc.clientId}, ${credentialKind(config.oidc)}, BASE_URL ${config.baseUrl}, and a session secret of at least 32 characters.`;
  return { result: { title: TITLE, status: 'pass', detail }, config, cli };
}
