/**
 * `npm run register -- --app-role … --groups`: the app roles and the groups claim the
 * registration declares, and the first role given to the administrator who runs the command, so
 * that a guard such as `{ anyRole: ['Admin'] }` lets them in at their next sign-in.
 * See https://learn.microsoft.com/entra/identity-platform/howto-add-app-roles-in-apps.
 */
import { addAppRoles, isAssignableToPeople, newAppRole, type AppRole } from './app-roles.js';
import type { GraphApplication, GraphUser } from './applications.js';
import { addSecurityGroupClaims, listsApplicationGroupsOnly } from './group-claims.js';
import { GraphError, type GraphClient } from './graph-client.js';
import type { Progress } from './progress.js';
import { assignAppRole } from './service-principals.js';

/** What `--app-role` and `--groups` ask for. */
export interface RolesAndGroupsRequest {
  /** App role values, already checked; the first is given to the signed-in administrator. */
  readonly appRoles: readonly string[];
  /** Tokens list the person's security groups. */
  readonly groups: boolean;
}

/** What the registration lacks of a request, as a change to send, and in words. */
export interface RolesAndGroupsPlan {
  /** For POST or PATCH /applications; empty when nothing is missing. */
  readonly change: { appRoles?: readonly AppRole[]; groupMembershipClaims?: string };
  /** The registration's roles once the change is made. */
  readonly roles: readonly AppRole[];
  readonly addedRoles: readonly string[];
  /** `null` without `--groups`. */
  /** `kept`: the registration lists the app's own groups only (ApplicationGroup), left as is. */
  readonly groupClaims: 'set' | 'unchanged' | 'kept' | null;
  /** What the change adds, in words ("app roles Admin and Reader"), for the progress lines. */
  readonly added: readonly string[];
}

/** How the administrator got the first role. */
export type RoleAssignmentOutcome =
  | { readonly role: string; readonly outcome: 'assigned' | 'existed' }
  | { readonly role: string; readonly outcome: 'skipped'; readonly reason: string };

/** What was done, for the command's summary. */
export interface RolesAndGroupsOutcome extends RolesAndGroupsPlan {
  /** The first requested role, given to the administrator; `null` without `--app-role`. */
  readonly assignment: RoleAssignmentOutcome | null;
}

/**
 * The change that gives `current` (the registration found, or `undefined` for a new one) the
 * requested roles and groups claim, keeping every role it has, with its id.
 */
export function planRolesAndGroups(
  current: Pick<GraphApplication, 'appRoles' | 'groupMembershipClaims'> | undefined,
  request: RolesAndGroupsRequest,
  appName: string,
): RolesAndGroupsPlan {
  const had = current?.appRoles ?? [];
  const merged = addAppRoles(
    had,
    request.appRoles.map((value) => newAppRole(value, appName)),
  );
  const addedRoles = (merged ?? had)
    .slice(had.length)
    .map((role) => role.value ?? '')
    .filter(Boolean);
  // Someone chose to list only the groups assigned to the app: widening that to every security
  // group would put more in every token (and make the overage likelier), so it stays.
  const kept = request.groups && listsApplicationGroupsOnly(current?.groupMembershipClaims);
  const claims =
    request.groups && !kept ? addSecurityGroupClaims(current?.groupMembershipClaims) : null;
  return {
    change: {
      ...(merged === null ? {} : { appRoles: merged }),
      ...(claims === null ? {} : { groupMembershipClaims: claims }),
    },
    roles: merged ?? had,
    addedRoles,
    groupClaims: request.groups ? (kept ? 'kept' : claims === null ? 'unchanged' : 'set') : null,
    added: [
      addedRoles.length === 0
        ? ''
        : `${addedRoles.length === 1 ? 'the app role' : 'app roles'} ${addedRoles.join(', ')}`,
      claims === null ? '' : `security groups in tokens (groupMembershipClaims ${claims})`,
    ].filter(Boolean),
  };
}

/**
 * Gives the signed-in administrator the first requested role on the service principal
 * `principalId`, unless there is nobody signed in (an application's GRAPH_TOKEN) or the role, made
 * by someone else before, is disabled or meant for applications only.
 */
export async function assignFirstRole(
  graph: GraphClient,
  context: {
    readonly plan: RolesAndGroupsPlan;
    readonly request: RolesAndGroupsRequest;
    readonly principalId: string;
    readonly me: GraphUser | null;
    readonly appName: string;
    readonly progress: Progress;
  },
): Promise<RoleAssignmentOutcome | null> {
  const { plan, me, progress } = context;
  const value = context.request.appRoles[0];
  if (value === undefined) return null;
  const role = plan.roles.find((candidate) => candidate.value === value);
  const skip = (reason: string): RoleAssignmentOutcome => {
    progress.note(`Not giving anyone the ${value} role: ${reason}.`);
    return { role: value, outcome: 'skipped', reason };
  };
  if (me === null) return skip('no user is signed in (the token is an application’s)');
  if (role === undefined || !isAssignableToPeople(role)) {
    return skip('the registration has it already, disabled or for applications only');
  }
  progress.step(`Giving ${me.userPrincipalName ?? me.id} the ${value} app role`);
  try {
    const outcome = await assignAppRole(graph, {
      principalId: me.id,
      resourceId: context.principalId,
      appRoleId: role.id,
    });
    progress.done(outcome === 'assigned' ? 'Assigned' : 'You have it already');
    return { role: value, outcome };
  } catch (error) {
    if (error instanceof GraphError && error.kind === 'forbidden') {
      throw new GraphError(
        'forbidden',
        `Microsoft Graph refused to give you the ${value} app role (${error.graphCode ?? 'HTTP 403'}). Assigning app roles takes the delegated permission AppRoleAssignment.ReadWrite.All and a directory role such as Cloud Application Administrator, Application Administrator or User Administrator. The roles are on the registration already: run the command again as such an administrator, or assign the role in the Entra admin center (Enterprise applications → ${context.appName} → Users and groups → Add user/group).`,
        { status: error.status, cause: error },
      );
    }
    throw error;
  }
}
