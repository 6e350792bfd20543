/**
 * `npm run register`: creates (or finds) the app registration through Microsoft Graph, gives it a
 * credential, a service principal and an owner (and, when asked, app roles, the first of them
 * given to the administrator, and the groups claim), and writes the settings to `.env`. Every
 * step can be run again: a re-run finds what exists and completes what is missing.
 */
import type { CliSettings } from '../../app/config.js';
import {
  addClientSecret,
  addOwner,
  findApplicationsByName,
  getSignedInUser,
  type GraphUser,
  type SignInAudience,
} from './applications.js';
import { createNew, updateExisting } from './application-shape.js';
import { createClientCertificate } from './certificate.js';
import {
  checkEnvFileEditable,
  findEnvConflicts,
  readEnvFile,
  updateEnvFile,
  type EnvChanges,
} from './env-file.js';
import {
  ensureFederatedCredentials,
  type FederatedOutcome,
  type FederatedRequest,
} from './federated-credentials.js';
import { GraphError, graphClientFor, type GraphClient } from './graph-client.js';
import { obtainGraphToken, type DeviceCodePrompt } from './graph-token.js';
import type { Progress } from './progress.js';
import {
  assignFirstRole,
  planRolesAndGroups,
  type RolesAndGroupsOutcome,
  type RolesAndGroupsRequest,
} from './roles-and-groups.js';
import { ensureServicePrincipal } from './service-principals.js';

/** What to register, and how. */
export interface RegisterOptions {
  readonly settings: CliSettings;
  readonly name: string;
  readonly multiTenant: boolean;
  /** A certificate credential instead of a client secret. */
  readonly certificate: boolean;
  /** The credential's lifetime. */
  readonly credentialDays: number;
  /** Replace registration values already in `.env`. */
  readonly force: boolean;
  /** App roles to declare (the first given to the administrator) and the groups claim. */
  readonly rolesAndGroups: RolesAndGroupsRequest;
  /** Federated credentials to add; with any, no secret is made (the app needs none). */
  readonly federated?: readonly FederatedRequest[];
  readonly progress: Progress;
  readonly onDeviceCode: (prompt: DeviceCodePrompt) => void;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** What was done. */
export interface RegisterResult {
  readonly appId: string;
  readonly objectId: string;
  readonly tenantId: string;
  readonly created: boolean;
  /**
   * `unchanged` when `.env` already held a credential of this registration; `federated` when
   * federated credentials stand in for a secret.
   */
  readonly credential: 'secret' | 'certificate' | 'federated' | 'unchanged';
  readonly backupFile: string | null;
  readonly portalUrl: string;
  readonly rolesAndGroups: RolesAndGroupsOutcome;
  readonly federated: readonly FederatedOutcome[];
}

/** A refusal that the person resolves by changing how they run the command. */
export class RegistrationRefused extends Error {
  override readonly name = 'RegistrationRefused';
}

/** Registers the app; see the module comment. */
export async function registerApplication(options: RegisterOptions): Promise<RegisterResult> {
  const { settings, progress } = options;
  const now = options.now ?? (() => new Date());

  progress.step('Signing in to Microsoft Graph');
  // Assigning app roles is the one step that needs more than Application.ReadWrite.All.
  const extraScopes =
    options.rolesAndGroups.appRoles.length > 0 ? ['AppRoleAssignment.ReadWrite.All'] : [];
  const token = await obtainGraphToken(settings, options.onDeviceCode, extraScopes);
  const tenantId = token.tenantId ?? settings.tenantId;
  if (tenantId === undefined) {
    throw new RegistrationRefused(
      'Cannot tell which tenant the Graph token is for: set TENANT_ID to your Directory (tenant) ID.',
    );
  }
  progress.done(`Using the token from ${token.source} (tenant ${tenantId})`);
  const graph = graphClientFor(settings.graphUrl, token.accessToken, progress, options.sleep);
  const me = await findSignedInUser(graph, progress);

  progress.step(`Looking for an application named "${options.name}"`);
  const found = await findApplicationsByName(graph, options.name);
  if (found.length > 1) {
    throw new RegistrationRefused(
      `${found.length} applications are named "${options.name}" (client ids ${found.map((a) => a.appId).join(', ')}): choose another name with --name, or delete the extra ones.`,
    );
  }
  const existing = found[0];
  progress.done(existing ? `Found it (client id ${existing.appId})` : 'None yet');

  const env = readEnvFile(settings.envFile);
  // Before anything is created: a new secret is shown once, and must not be lost to a refusal.
  checkEnvFileEditable(settings.envFile);
  const hasCredential = [env['CLIENT_SECRET'], env['CLIENT_CERTIFICATE_FILE']].some(Boolean);
  const upToDate =
    existing !== undefined &&
    env['CLIENT_ID'] === existing.appId &&
    hasCredential &&
    !options.force;
  // Without an existing application, any CLIENT_ID in .env belongs to another registration.
  const conflicts = findEnvConflicts(env, {
    TENANT_ID: tenantId,
    CLIENT_ID: existing?.appId ?? '(the application about to be created)',
  });
  if (conflicts.length > 0 && !options.force) {
    throw new RegistrationRefused(
      `${settings.envFile} already holds ${conflicts.join(' and ')} of another registration. Run again with --force to replace them (the old file is backed up first), or use --name to pick that registration.`,
    );
  }
  if (options.certificate && existing !== undefined && !upToDate) {
    throw new RegistrationRefused(
      `The application "${options.name}" exists already: a certificate can be added here only to an application this command creates. Upload one in the Entra admin center (Certificates & secrets), or remove the application first with npm run unregister.`,
    );
  }

  const audience: SignInAudience = options.multiTenant ? 'AzureADMultipleOrgs' : 'AzureADMyOrg';
  const redirectUris = [settings.redirectUri, settings.postSignOutRedirectUri];
  const certificate =
    options.certificate && existing === undefined
      ? await createClientCertificate({
          dir: settings.dataDir,
          name: options.name,
          days: options.credentialDays,
          now: now(),
        })
      : null;
  const plan = planRolesAndGroups(existing, options.rolesAndGroups, options.name);
  const app = existing
    ? await updateExisting(graph, existing, { redirectUris, audience, plan }, progress)
    : await createNew(graph, options, { redirectUris, audience, plan }, certificate, progress);

  let changes: EnvChanges = { TENANT_ID: tenantId, CLIENT_ID: app.appId };
  let credential: RegisterResult['credential'] = 'unchanged';
  if (certificate) {
    changes = {
      ...changes,
      CLIENT_CERTIFICATE_FILE: certificate.certFile,
      CLIENT_KEY_FILE: certificate.keyFile,
      CLIENT_SECRET: null,
    };
    credential = 'certificate';
  } else if ((options.federated ?? []).length > 0) {
    // What .env holds already is left alone: a local run may still use its secret.
    credential = 'federated';
  } else if (!upToDate) {
    progress.step(`Adding a client secret valid for ${options.credentialDays} days`);
    const secret = await addClientSecret(graph, app.id, {
      days: options.credentialDays,
      displayName: 'entra-signin (npm run register)',
      now: now(),
    });
    progress.done(
      `Added (expires ${secret.endDateTime.slice(0, 10)}); its value goes to .env only`,
    );
    changes = {
      ...changes,
      CLIENT_SECRET: secret.secretText,
      CLIENT_CERTIFICATE_FILE: null,
      CLIENT_KEY_FILE: null,
    };
    credential = 'secret';
  }
  // .env is written before the remaining steps: a secret is shown once, so it must not be lost
  // if a later step fails (a re-run then finds .env up to date and completes the rest).
  progress.step(`Writing ${settings.envFile}`);
  const backupFile = updateEnvFile(settings.envFile, changes, now());
  progress.done(
    backupFile === null ? 'Nothing to change' : `Written; the previous file is in ${backupFile}`,
  );

  const federated = await ensureFederatedCredentials(
    graph,
    app.id,
    options.federated ?? [],
    { tenantId, loginAuthority: settings.loginAuthority },
    progress,
  );
  progress.step('Creating the service principal');
  const principal = await ensureServicePrincipal(graph, app.appId);
  progress.done(principal.created ? 'Created' : 'It exists already');
  if (me !== null) {
    progress.step(`Making ${me.userPrincipalName ?? me.id} an owner`);
    const owner = await addOwner(graph, settings.graphUrl, app.id, me.id);
    progress.done(owner === 'added' ? 'Added' : 'Already an owner');
  }
  const assignment = await assignFirstRole(graph, {
    plan,
    request: options.rolesAndGroups,
    principalId: principal.id,
    me,
    appName: options.name,
    progress,
  });
  return {
    appId: app.appId,
    objectId: app.id,
    tenantId,
    created: existing === undefined,
    credential,
    backupFile,
    portalUrl: portalUrlOf(app.appId),
    rolesAndGroups: { ...plan, assignment },
    federated,
  };
}

/** The registration's page in the Microsoft Entra admin center. */
function portalUrlOf(appId: string): string {
  return `https://entra.microsoft.com/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/Overview/appId/${appId}/isMSAApp~/false`;
}

// An app-only GRAPH_TOKEN (a service principal's) has no "me": the app is then made without an
// owner, which is allowed, and the person is told.
async function findSignedInUser(graph: GraphClient, progress: Progress): Promise<GraphUser | null> {
  try {
    return await getSignedInUser(graph);
  } catch (error) {
    if (error instanceof GraphError && ['unreachable', 'throttled'].includes(error.kind)) {
      throw error;
    }
    progress.note('Could not read the signed-in user: the application will have no owner.');
    return null;
  }
}
