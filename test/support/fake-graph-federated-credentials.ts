/**
 * The fake Graph's federated identity credentials: `GET` and `POST
 * /applications/{id}/federatedIdentityCredentials`, with Graph's rules (a name of 3 to 120 URL
 * friendly characters, unique on the application, as the issuer and subject pair is; at most 20)
 * and its documented shapes (federatedidentitycredential-get, application-post-federatedidentitycredentials).
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { send, sendError, type FakeApplication, type FakeFailure } from './fake-graph-shapes.js';

/** A federated identity credential as the fake keeps it. */
export interface FakeFederatedIdentityCredential {
  readonly id: string;
  readonly name: string;
  readonly issuer: string;
  readonly subject: string;
  readonly description: string | null;
  readonly audiences: string[];
}

const held = new WeakMap<FakeApplication, FakeFederatedIdentityCredential[]>();

/** The application's federated identity credentials (a navigation property, not on the object). */
export function federatedCredentialsOf(app: FakeApplication): FakeFederatedIdentityCredential[] {
  let list = held.get(app);
  if (list === undefined) {
    list = [];
    held.set(app, list);
  }
  return list;
}

const conflict = (message: string): FakeFailure => ({
  status: 409,
  code: 'Request_MultipleObjectsWithSameKeyValue',
  message,
});
const badRequest = (message: string): FakeFailure => ({
  status: 400,
  code: 'Request_BadRequest',
  message,
});

/** Answers `/applications/{id}/federatedIdentityCredentials[/{id}]`. */
export function routeFederatedCredentials(
  app: FakeApplication,
  method: string,
  credentialId: string | undefined,
  input: Record<string, unknown>,
  res: ServerResponse,
): void {
  const list = federatedCredentialsOf(app);
  const context = `https://graph.microsoft.com/v1.0/$metadata#applications('${app.id}')/federatedIdentityCredentials`;
  if (method === 'GET' && credentialId === undefined) {
    return send(res, 200, { '@odata.context': context, value: list });
  }
  if (method !== 'POST' || credentialId !== undefined) {
    return sendError(res, badRequest(`Unsupported request: ${method}.`));
  }
  const refused = creationFailure(list, input);
  if (refused !== null) return sendError(res, refused);
  const created: FakeFederatedIdentityCredential = {
    id: randomUUID(),
    name: String(input['name']),
    issuer: String(input['issuer']),
    subject: String(input['subject']),
    description: typeof input['description'] === 'string' ? input['description'] : null,
    audiences: (input['audiences'] as string[]).map(String),
  };
  list.push(created);
  return send(res, 201, { '@odata.context': `${context}/$entity`, ...created });
}

function creationFailure(
  list: readonly FakeFederatedIdentityCredential[],
  input: Record<string, unknown>,
): FakeFailure | null {
  const { name, issuer, subject, audiences } = input;
  if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/.test(name)) {
    return badRequest(
      "Invalid value specified for property 'name' of resource 'FederatedIdentityCredential'.",
    );
  }
  if (
    typeof issuer !== 'string' ||
    typeof subject !== 'string' ||
    issuer === '' ||
    subject === ''
  ) {
    return badRequest('The issuer and subject of a FederatedIdentityCredential are required.');
  }
  if (!Array.isArray(audiences) || audiences.length !== 1) {
    return badRequest("The property 'audiences' must have exactly one value.");
  }
  if (list.some((c) => c.name === name)) {
    return conflict(`FederatedIdentityCredential with name ${name} already exists.`);
  }
  if (list.some((c) => c.issuer === issuer && c.subject === subject)) {
    return conflict('FederatedIdentityCredential with the same issuer and subject already exists.');
  }
  if (list.length >= 20) {
    return badRequest('The application has the most FederatedIdentityCredentials allowed (20).');
  }
  return null;
}
