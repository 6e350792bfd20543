/**
 * The API permissions the registration declares (its `requiredResourceAccess`), and how one is
 * added to those a registration already has without losing any.
 * See https://learn.microsoft.com/graph/api/resources/requiredresourceaccess.
 */

/** One permission of a resource: a delegated `Scope` or an application `Role`. */
export interface ResourceAccess {
  readonly id: string;
  readonly type: string;
}

/** The permissions an application declares on one resource (an API, such as Microsoft Graph). */
export interface RequiredResourceAccess {
  readonly resourceAppId: string;
  readonly resourceAccess: readonly ResourceAccess[];
}

/** Microsoft Graph's application (client) ID, the same in every tenant. */
export const MICROSOFT_GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

/**
 * Graph's delegated `User.Read` ("Sign in and read user profile"), which the app uses to call
 * Graph as the signed-in person. Other scopes (`Mail.Read`) are asked for by incremental consent
 * when a page needs them, so they are deliberately not declared here.
 * See https://learn.microsoft.com/graph/permissions-reference#userread.
 */
export const GRAPH_USER_READ: RequiredResourceAccess = {
  resourceAppId: MICROSOFT_GRAPH_APP_ID,
  resourceAccess: [{ id: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', type: 'Scope' }],
};

/**
 * `current` with `wanted`'s permissions added where missing, or `null` when it has them all.
 * Graph replaces a collection as a whole on PATCH, so the answer keeps every other resource and
 * permission, in order.
 */
export function addResourceAccess(
  current: readonly RequiredResourceAccess[],
  wanted: RequiredResourceAccess,
): RequiredResourceAccess[] | null {
  // GUIDs compare case-insensitively; Graph answers in lower case, hand-edited manifests may not.
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const forResource = current.filter((entry) => same(entry.resourceAppId, wanted.resourceAppId));
  const missing = wanted.resourceAccess.filter(
    (access) =>
      !forResource.some((entry) =>
        entry.resourceAccess.some((had) => same(had.id, access.id) && had.type === access.type),
      ),
  );
  if (missing.length === 0) return null;
  const first = forResource[0];
  if (first === undefined) {
    return [...current, { resourceAppId: wanted.resourceAppId, resourceAccess: missing }];
  }
  return current.map((entry) =>
    entry === first ? { ...entry, resourceAccess: [...entry.resourceAccess, ...missing] } : entry,
  );
}
