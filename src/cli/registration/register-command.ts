/**
 * The `npm run register` and `npm run unregister` commands: their options, their output and their
 * exit codes. `src/cli/*.ts` only connect them to the process.
 */
import { loadCliSettings, type LoadConfigOptions } from '../../app/config.js';
import { describeAppRoleValueProblem } from './app-roles.js';
import { FlagRefused, runCommand, showDeviceCode, type CliIo } from './cli-io.js';
import { readFederatedFlags, type FederatedOutcome } from './federated-credentials.js';
import { lineProgress } from './progress.js';
import { RegistrationRefused, registerApplication } from './register.js';
import type { RolesAndGroupsOutcome } from './roles-and-groups.js';
import { unregisterApplication } from './unregister.js';

const DEFAULT_NAME = 'entra-signin';

/** Test seams: where settings come from, and how waiting is done. */
export interface CommandOptions extends LoadConfigOptions {
  readonly sleep?: (ms: number) => Promise<void>;
}

const REGISTER_HELP = `Usage: npm run register -- [options]

Registers this app in your Microsoft Entra tenant through Microsoft Graph and writes
TENANT_ID, CLIENT_ID and CLIENT_SECRET (or the certificate's files) to .env.

  --name NAME        display name of the registration (default: ${DEFAULT_NAME})
  --multi-tenant     accept accounts of any organisation (default: this tenant only)
  --certificate      a certificate credential made here instead of a client secret
  --days N           lifetime of the secret or certificate in days (default: 180)
  --force            replace registration values already in .env (backed up first)
  --app-role VALUE   declare an app role (repeatable: --app-role Admin --app-role Reader) and
                     give the first one to you; values: letters, digits and . _ - only
  --groups           list people's security groups in their tokens (the groups claim)
  --federated ISSUER,SUBJECT
                     trust tokens of this issuer for this subject as the app's credential
                     (repeatable), such as an AKS cluster's OIDC issuer and
                     system:serviceaccount:NAMESPACE:SERVICE-ACCOUNT; no secret is made
  --federated-managed-identity PRINCIPAL_ID
                     trust the user-assigned managed identity with this object (principal) id
                     (App Service, Functions, Container Apps); no secret is made

Signs you in with a device code, or uses GRAPH_TOKEN when set
(az account get-access-token --resource https://graph.microsoft.com --query accessToken -o tsv).`;

const REGISTER_OPTIONS = {
  name: { type: 'string', default: DEFAULT_NAME },
  'multi-tenant': { type: 'boolean', default: false },
  certificate: { type: 'boolean', default: false },
  days: { type: 'string', default: '180' },
  force: { type: 'boolean', default: false },
  'app-role': { type: 'string', multiple: true, default: [] as string[] },
  groups: { type: 'boolean', default: false },
  federated: { type: 'string', multiple: true, default: [] as string[] },
  'federated-managed-identity': { type: 'string', multiple: true, default: [] as string[] },
} as const;

/** Runs `npm run register` with these arguments; resolves to the exit code. */
export function runRegisterCommand(
  argv: string[],
  io: CliIo,
  options: CommandOptions = {},
): Promise<number> {
  return runCommand(
    argv,
    io,
    { help: REGISTER_HELP, options: REGISTER_OPTIONS },
    async (values) => {
      const days = Number(values.days);
      if (!Number.isInteger(days) || days < 1 || days > 730) {
        throw new RegistrationRefused(
          `--days must be a whole number of days between 1 and 730 (Entra's recommended maximum is 2 years); you gave "${values.days}"`,
        );
      }
      const appRoles = checkAppRoleValues(values['app-role']);
      const federated = readFederatedFlags(values.federated, values['federated-managed-identity']);
      if (federated.length > 0 && values.certificate) {
        throw new FlagRefused(
          '--certificate and --federated… are two credentials: a federated credential needs no certificate or secret, so leave --certificate out',
        );
      }
      const settings = loadCliSettings(options);
      const result = await registerApplication({
        settings,
        name: values.name,
        multiTenant: values['multi-tenant'],
        certificate: values.certificate,
        credentialDays: days,
        force: values.force,
        rolesAndGroups: { appRoles, groups: values.groups },
        federated,
        progress: lineProgress(io.out),
        onDeviceCode: showDeviceCode(io),
        ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
      });
      io.out('');
      io.out(
        result.created
          ? `Registered "${values.name}" (client id ${result.appId}) in tenant ${result.tenantId}.`
          : `"${values.name}" (client id ${result.appId}) is registered and up to date.`,
      );
      io.out(`Its page in the Entra admin center: ${result.portalUrl}`);
      io.out(
        `People consent to Microsoft Graph's User.Read when they first sign in; or an administrator grants it for the whole tenant in the Entra admin center (Enterprise applications → ${values.name} → Permissions → Grant admin consent), or with az ad app permission admin-consent --id ${result.appId}.`,
      );
      if (result.credential === 'certificate') {
        io.out(
          'The app will authenticate with the certificate (private_key_jwt): keep CLIENT_KEY_FILE private; it never left this machine.',
        );
      }
      reportRolesAndGroups(io, result.rolesAndGroups, appRoles, values.name);
      reportFederated(io, result.federated, result.appId);
      if (values['multi-tenant']) {
        io.out(
          'Multi-tenant: .env signs in people of your tenant; to admit other organisations, set AUTHORITY to https://login.microsoftonline.com/organizations/v2.0 and ALLOWED_TENANTS.',
        );
      }
      io.out('Next: npm run doctor to check the set-up, then npm start.');
      return 0;
    },
  );
}

// Before signing in: a value Entra would refuse is a usage mistake, not a Graph failure.
function checkAppRoleValues(values: readonly string[]): string[] {
  for (const value of values) {
    const problem = describeAppRoleValueProblem(value);
    if (problem !== null) throw new FlagRefused(problem);
  }
  return [...new Set(values)];
}

function reportRolesAndGroups(
  io: CliIo,
  result: RolesAndGroupsOutcome,
  appRoles: readonly string[],
  name: string,
): void {
  const { assignment } = result;
  if (assignment !== null) {
    const { addedRoles } = result;
    const news = addedRoles.length === 0 ? 'all there already' : `new: ${addedRoles.join(', ')}`;
    const declared =
      addedRoles.length === appRoles.length
        ? `App roles added: ${appRoles.join(', ')}.`
        : `App roles: ${appRoles.join(', ')} (${news}).`;
    const given =
      assignment.outcome === 'skipped'
        ? `Nobody was given ${assignment.role}: ${assignment.reason}.`
        : `You have the ${assignment.role} role${assignment.outcome === 'existed' ? ' (you had it already)' : ''}; it is in the ID token's roles claim from your next sign-in.`;
    io.out(`${declared} ${given}`);
    io.out(
      `To give a role to more people: Entra admin center → Enterprise applications → ${name} → Users and groups → Add user/group → pick the users or groups, then the role → Assign.`,
    );
  }
  if (result.groupClaims !== null) {
    io.out(
      result.groupClaims === 'set'
        ? "Tokens now list people's security groups by object id (groupMembershipClaims SecurityGroup), from their next sign-in."
        : result.groupClaims === 'kept'
          ? 'The registration lists only the groups assigned to the app (groupMembershipClaims ApplicationGroup); left as it is. Change it in the admin center (Token configuration → Add groups claim) to list every security group.'
          : "The registration already puts people's security groups in their tokens (groupMembershipClaims).",
    );
    io.out(
      'For someone in more than 200 groups, Entra sends the groups overage marker instead of the list; the app then reads their groups from Microsoft Graph with the User.Read permission it already has.',
    );
  }
}

// Where the app runs it needs no secret, only the settings that say where its token comes from.
function reportFederated(io: CliIo, outcomes: readonly FederatedOutcome[], appId: string): void {
  if (outcomes.length === 0) return;
  for (const { credential, outcome } of outcomes) {
    io.out(
      `Federated credential ${credential.name} (${outcome === 'added' ? 'added' : 'there already'}): issuer ${credential.issuer}, subject ${credential.subject}, audience ${credential.audiences.join(', ')}.`,
    );
  }
  io.out(
    'No client secret was made for it: where the app runs, leave CLIENT_SECRET and the certificate unset (.env here keeps what it had, for local runs).',
  );
  if (outcomes.some((o) => o.request.kind === 'issuer')) {
    io.out(
      `With AKS workload identity: annotate the pod's service account with azure.workload.identity/client-id: ${appId} and label the pod azure.workload.identity/use: "true"; the webhook then sets AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID and AZURE_TENANT_ID, which the app reads. Elsewhere, set TENANT_ID, CLIENT_ID=${appId} and AZURE_FEDERATED_TOKEN_FILE to the token file.`,
    );
  }
  if (outcomes.some((o) => o.request.kind === 'managed-identity')) {
    io.out(
      `With a managed identity (App Service, Functions, Container Apps): give the app that user-assigned identity, and set TENANT_ID, CLIENT_ID=${appId} and MANAGED_IDENTITY_CLIENT_ID to the identity's client id (not its object id); the platform sets IDENTITY_ENDPOINT and IDENTITY_HEADER.`,
    );
  }
}

const UNREGISTER_HELP = `Usage: npm run unregister -- [options]

Deletes the app registration whose CLIENT_ID is in .env (or, without one, the registration with
the given name, after asking) and removes TENANT_ID, CLIENT_ID and the credential from .env.

  --name NAME   display name to look for when .env has no CLIENT_ID (default: ${DEFAULT_NAME})
  --yes         do not ask before deleting a registration found by name`;

const UNREGISTER_OPTIONS = {
  name: { type: 'string', default: DEFAULT_NAME },
  yes: { type: 'boolean', default: false },
} as const;

/** Runs `npm run unregister` with these arguments; resolves to the exit code. */
export function runUnregisterCommand(
  argv: string[],
  io: CliIo,
  options: CommandOptions = {},
): Promise<number> {
  const command = { help: UNREGISTER_HELP, options: UNREGISTER_OPTIONS };
  return runCommand(argv, io, command, async (values) => {
    const result = await unregisterApplication({
      settings: loadCliSettings(options),
      name: values.name,
      confirm: values.yes ? () => Promise.resolve(true) : (question) => io.confirm(question),
      progress: lineProgress(io.out),
      onDeviceCode: showDeviceCode(io),
      ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
    });
    io.out('');
    io.out(
      result.deletedAppId === null
        ? 'No registration was deleted.'
        : `Unregistered client id ${result.deletedAppId}.`,
    );
    return 0;
  });
}
