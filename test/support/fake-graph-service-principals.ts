/**
 * The fake Graph's service principals and app roles: `POST` and `GET /servicePrincipals`,
 * `POST /servicePrincipals/{id}/appRoleAssignedTo`, and the rules Graph applies when an
 * application's `appRoles` change. Shapes and errors follow Graph v1.0's documentation
 * (serviceprincipal-post-serviceprincipals, serviceprincipal-list,
 * serviceprincipal-post-approleassignedto, resources/approle).
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import {
  send,
  sendError,
  servicePrincipalBody,
  type FakeApplication,
  type FakeFailure,
} from './fake-graph-shapes.js';

/** An app role assignment as the fake keeps it. */
export interface FakeAppRoleAssignment {
  readonly id: string;
  readonly principalId: string;
  readonly resourceId: string;
  readonly appRoleId: string;
}

/** The part of the fake's directory these routes read and change. */
export interface FakeDirectory {
  readonly tenantId: string;
  readonly me: { id: string; userPrincipalName: string };
  readonly applications: Map<string, FakeApplication>;
  /** Service principals by appId. */
  readonly servicePrincipals: Map<string, Record<string, unknown>>;
  readonly appRoleAssignments: FakeAppRoleAssignment[];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const badRequest = (message: string): FakeFailure => ({
  status: 400,
  code: 'Request_BadRequest',
  message,
});

/** Answers `/servicePrincipals…`; `segments` are the path's parts after the collection. */
export function routeServicePrincipals(
  fake: FakeDirectory,
  method: string,
  segments: { id: string | undefined; action: string | undefined },
  url: URL,
  input: Record<string, unknown>,
  res: ServerResponse,
): void {
  const route = `${method} ${segments.id === undefined ? '' : '{id}'}/${segments.action?.toLowerCase() ?? ''}`;
  switch (route) {
    case 'POST /':
      return createServicePrincipal(fake, input, res);
    case 'GET /':
      return listServicePrincipals(fake, url, res);
    case 'POST {id}/approleassignedto':
      return assignAppRole(fake, segments.id ?? '', input, res);
    default:
      return sendError(res, badRequest(`Resource not found for the segment '${route}'.`));
  }
}

/**
 * Graph's rules for a PATCH of `appRoles`, or `null` when they hold: each role has a GUID id and
 * a value of its own, and an enabled role is neither dropped nor changed
 * (`CannotDeleteOrUpdateEnabledEntitlement`: it must be disabled first).
 */
export function appRolesChangeFailure(
  app: FakeApplication,
  input: Record<string, unknown>,
): FakeFailure | null {
  if (!('appRoles' in input)) return null;
  const roles = (input['appRoles'] ?? []) as Record<string, unknown>[];
  if (roles.some((role) => typeof role['id'] !== 'string' || !GUID.test(role['id']))) {
    return badRequest("Invalid value specified for property 'id' of resource 'AppRole'.");
  }
  const values = roles.map((role) => role['value']);
  // Graph refuses two roles with one value (400); its exact wording is not documented.
  if (new Set(values).size !== values.length) {
    return badRequest('App roles must have unique values.');
  }
  const before = (app['appRoles'] ?? []) as Record<string, unknown>[];
  const touched = before.filter(
    (had) =>
      had['isEnabled'] !== false &&
      !roles.some((role) => role['id'] === had['id'] && isDeepStrictEqual(role, had)),
  );
  if (touched.length > 0) {
    return {
      status: 400,
      code: 'CannotDeleteOrUpdateEnabledEntitlement',
      message: 'Permission (scope or role) cannot be deleted or updated unless disabled first.',
    };
  }
  return null;
}

function createServicePrincipal(
  fake: FakeDirectory,
  input: Record<string, unknown>,
  res: ServerResponse,
) {
  const app = [...fake.applications.values()].find((a) => a.appId === input['appId']);
  if (!app) {
    return sendError(
      res,
      badRequest(
        'The appId of the service principal does not reference a valid application object.',
      ),
    );
  }
  if (fake.servicePrincipals.has(app.appId)) {
    return sendError(res, {
      status: 409,
      code: 'Request_MultipleObjectsWithSameKeyValue',
      message:
        'Another object with the same value for property servicePrincipalNames already exists.',
    });
  }
  const principal = servicePrincipalBody(app, fake.tenantId);
  fake.servicePrincipals.set(app.appId, principal);
  return send(res, 201, principal);
}

function listServicePrincipals(fake: FakeDirectory, url: URL, res: ServerResponse) {
  const filter = url.searchParams.get('$filter') ?? '';
  const match = /^appId eq '((?:[^']|'')*)'$/.exec(filter);
  if (!match) {
    return sendError(res, {
      status: 400,
      code: 'Request_UnsupportedQuery',
      message: 'Unsupported or invalid query filter clause specified for property',
    });
  }
  const principal = fake.servicePrincipals.get((match[1] ?? '').replaceAll("''", "'"));
  return send(res, 200, {
    '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#servicePrincipals',
    value: principal === undefined ? [] : [principal],
  });
}

// The service principal's roles are its application's: Graph copies them over.
function assignAppRole(
  fake: FakeDirectory,
  principalObjectId: string,
  input: Record<string, unknown>,
  res: ServerResponse,
) {
  const resource = [...fake.servicePrincipals.values()].find(
    (sp) => sp['id'] === principalObjectId,
  );
  const app = [...fake.applications.values()].find((a) => a.appId === resource?.['appId']);
  if (resource === undefined || app === undefined || input['principalId'] !== fake.me.id) {
    const missing = resource === undefined ? principalObjectId : String(input['principalId']);
    return sendError(res, {
      status: 404,
      code: 'Request_ResourceNotFound',
      message: `Resource '${missing}' does not exist or one of its queried reference-property objects are not present.`,
    });
  }
  if (input['resourceId'] !== principalObjectId) {
    return sendError(res, badRequest('The resourceId must be the service principal in the URL.'));
  }
  const role = ((app['appRoles'] ?? []) as Record<string, unknown>[]).find(
    (candidate) => candidate['id'] === input['appRoleId'],
  );
  const forPeople = ((role?.['allowedMemberTypes'] ?? []) as string[]).includes('User');
  if (role === undefined || role['isEnabled'] === false || !forPeople) {
    return sendError(
      res,
      badRequest(`Permission being assigned was not found on application '${app.appId}'.`),
    );
  }
  const same = (a: FakeAppRoleAssignment) =>
    a.principalId === input['principalId'] &&
    a.resourceId === principalObjectId &&
    a.appRoleId === role['id'];
  if (fake.appRoleAssignments.some(same)) {
    return sendError(res, badRequest('Permission being assigned already exists on the object'));
  }
  const assignment = {
    // Graph's assignment ids are 43 base64url characters, not GUIDs.
    id: randomBytes(32).toString('base64url'),
    principalId: fake.me.id,
    resourceId: principalObjectId,
    appRoleId: String(role['id']),
  };
  fake.appRoleAssignments.push(assignment);
  return send(res, 201, {
    '@odata.context':
      'https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/$entity/appRoleAssignedTo/$entity',
    ...assignment,
    deletedDateTime: null,
    createdDateTime: new Date().toISOString(),
    principalDisplayName: 'Contoso Admin',
    principalType: 'User',
    resourceDisplayName: app.displayName,
  });
}
