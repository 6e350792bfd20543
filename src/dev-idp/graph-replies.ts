/**
 * How the Graph fake answers: Graph's JSON and error shapes, never cached, and saying in a
 * header that this is not Graph.
 *
 * @see https://learn.microsoft.com/graph/errors
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendBytes, sendJson } from './http-replies.js';

const FAKE_NOTICE =
  'development fake of Microsoft Graph (entra-signin development identity provider)';

/** Graph's metadata document, which its `@odata.context` URLs name. */
export const METADATA = 'https://graph.microsoft.com/v1.0/$metadata';

/** Sends JSON as Graph does, with a request id. */
export function sendGraphJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, body, {
    'content-type': 'application/json',
    'request-id': randomUUID(),
    'x-development-fake': FAKE_NOTICE,
    ...headers,
  });
}

/** Sends the bytes of a media resource (a photo). */
export function sendGraphBytes(res: ServerResponse, body: Buffer, contentType: string): void {
  sendBytes(res, 200, body, { 'content-type': contentType, 'x-development-fake': FAKE_NOTICE });
}

/** Sends Graph's error shape, innerError included. */
export function graphError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const requestId = randomUUID();
  sendGraphJson(
    res,
    status,
    {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString().slice(0, 19),
          'request-id': requestId,
          'client-request-id': requestId,
        },
      },
    },
    { 'request-id': requestId, ...headers },
  );
}

/**
 * An entity of `entitySet` (`users`, `groups`) as Graph answers it, kept to the properties
 * `$select` names (loosely: those that exist), with the context URL saying which.
 */
export function selectedEntity(
  url: URL,
  entitySet: string,
  entity: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const select = (url.searchParams.get('$select') ?? '').split(',').map((s) => s.trim());
  const chosen = select.filter((name) => name in entity);
  if (chosen.length === 0)
    return { '@odata.context': `${METADATA}#${entitySet}/$entity`, ...entity };
  return {
    '@odata.context': `${METADATA}#${entitySet}(${chosen.join(',')})/$entity`,
    ...Object.fromEntries(chosen.map((name) => [name, entity[name]])),
  };
}
