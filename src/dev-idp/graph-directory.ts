/**
 * The Graph fake's directory answers: the signed-in person's memberships (what an app calls
 * when the ID token carries the groups overage marker) and a group's name.
 *
 * @see https://learn.microsoft.com/graph/api/directoryobject-getmemberobjects
 * @see https://learn.microsoft.com/graph/api/group-get
 */
import type { ServerResponse } from 'node:http';
import { GUID } from '../core/guid.js';
import type { GraphCall } from './graph-call.js';
import { graphError, METADATA, selectedEntity, sendGraphJson } from './graph-replies.js';

/**
 * `POST /me/getMemberObjects` with `{"securityEnabledOnly": true|false}`: the ids of the groups
 * the person is in. Every group of the development tenant is a security group, so both values
 * answer the same.
 */
export function answerMemberObjects(call: GraphCall, res: ServerResponse): void {
  const body = jsonBodyOf(call);
  if (body === undefined) {
    // Graph's words for a body it cannot read, or one sent without a JSON content type.
    graphError(
      res,
      400,
      'BadRequest',
      'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
    );
    return;
  }
  const securityEnabledOnly =
    typeof body === 'object' && body !== null
      ? (body as Record<string, unknown>)['securityEnabledOnly']
      : undefined;
  if (typeof securityEnabledOnly !== 'boolean') {
    graphError(
      res,
      400,
      'Request_BadRequest',
      "Invalid value for the parameter 'securityEnabledOnly': it must be true or false.",
    );
    return;
  }
  sendGraphJson(res, 200, {
    '@odata.context': `${METADATA}#Collection(Edm.String)`,
    value: [...(call.account.groups ?? [])],
  });
}

/** `GET /groups/{id}`: a group of the tenant, its `$select`ed properties (`id,displayName`). */
export function answerGroup({ fake, url, params }: GraphCall, res: ServerResponse): void {
  const id = params[0] ?? '';
  if (!GUID.test(id)) {
    graphError(res, 400, 'Request_BadRequest', `Invalid object identifier '${id}'.`);
    return;
  }
  const group = fake.groups.get(id.toLowerCase());
  if (group === undefined) {
    graphError(
      res,
      404,
      'Request_ResourceNotFound',
      `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    );
    return;
  }
  sendGraphJson(
    res,
    200,
    selectedEntity(url, 'groups', {
      id: group.id,
      description: null,
      displayName: group.displayName,
      groupTypes: [],
      mail: null,
      mailEnabled: false,
      securityEnabled: true,
    }),
  );
}

// The body as JSON, or `undefined` when it is not JSON (or not said to be).
function jsonBodyOf({ contentType, body }: GraphCall): unknown {
  if (!/^application\/json\b/i.test(contentType)) return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}
