/**
 * The Microsoft Graph v1.0 calls on the application's service principal (its "enterprise
 * application" in the tenant): creating it, finding it, and giving people its app roles.
 * See https://learn.microsoft.com/graph/api/resources/serviceprincipal and
 * https://learn.microsoft.com/graph/api/resources/approleassignment.
 */
import { z } from 'zod';
import { GraphError, odataString, parseGraphAnswer, type GraphClient } from './graph-client.js';

const principalSchema = z.object({ id: z.string(), appId: z.string() });
const principalsSchema = z.object({ value: z.array(principalSchema) });

/** A service principal, with the properties we use. */
export type GraphServicePrincipal = z.infer<typeof principalSchema>;

/**
 * Creates the application's service principal in the tenant (POST /servicePrincipals), without
 * which nobody can sign in, or finds it. Graph answers 409 `Request_MultipleObjectsWithSameKeyValue`
 * when it exists already, which is what a re-run wants; its id is then looked up.
 */
export async function ensureServicePrincipal(
  graph: GraphClient,
  appId: string,
): Promise<{ readonly id: string; readonly created: boolean }> {
  try {
    const body = await graph.post(
      '/servicePrincipals',
      { appId },
      { action: 'create the service principal' },
    );
    return {
      id: parseGraphAnswer(principalSchema, body, 'the service principal').id,
      created: true,
    };
  } catch (error) {
    if (!(error instanceof GraphError && error.kind === 'conflict')) throw error;
  }
  const found = await findServicePrincipalByAppId(graph, appId);
  if (found === null) {
    throw new GraphError(
      'rejected',
      'Microsoft Graph says the service principal exists but does not list it yet. Wait a minute and run the command again: it carries on where it stopped.',
      { status: 409 },
    );
  }
  return { id: found.id, created: false };
}

/** The service principal of the application with this appId, or `null`. */
async function findServicePrincipalByAppId(
  graph: GraphClient,
  appId: string,
): Promise<GraphServicePrincipal | null> {
  const filter = encodeURIComponent(`appId eq ${odataString(appId)}`);
  const body = await graph.get(`/servicePrincipals?$filter=${filter}`, {
    action: 'look up the service principal',
  });
  return (
    parseGraphAnswer(principalsSchema, body, 'the list of service principals').value[0] ?? null
  );
}

/** Who gets which app role of which service principal. */
export interface AppRoleAssignment {
  /** The user's (or group's) object id. */
  readonly principalId: string;
  /** The service principal that declares the role. */
  readonly resourceId: string;
  readonly appRoleId: string;
}

/**
 * Gives a user an app role (POST /servicePrincipals/{id}/appRoleAssignedTo). Graph refuses a
 * duplicate with a 400 (or 409) "Permission being assigned already exists on the object", which a
 * re-run expects. A role added to the application a moment ago may not have reached its service
 * principal yet (400 "Permission being assigned was not found on application"): that is tried
 * again, as {@link GraphClient.retryWhileReplicating} does.
 * See https://learn.microsoft.com/graph/api/serviceprincipal-post-approleassignedto.
 */
export async function assignAppRole(
  graph: GraphClient,
  assignment: AppRoleAssignment,
): Promise<'assigned' | 'existed'> {
  const path = `/servicePrincipals/${encodeURIComponent(assignment.resourceId)}/appRoleAssignedTo`;
  try {
    await graph.retryWhileReplicating(
      () => graph.post(path, assignment, { action: 'assign the app role' }),
      (error) => graphSaid(error, 400, /not found on application/i),
    );
    return 'assigned';
  } catch (error) {
    if (graphSaid(error, 400, /already exists/i) || graphSaid(error, 409, /already exists/i)) {
      return 'existed';
    }
    throw error;
  }
}

function graphSaid(error: unknown, status: number, message: RegExp): boolean {
  return (
    error instanceof GraphError && error.status === status && message.test(error.graphMessage ?? '')
  );
}
