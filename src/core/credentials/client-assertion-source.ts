import type { ClientAssertionSettings } from '../option-types.js';
import {
  assertionUnavailable,
  readAssertionClaims,
  type AssertionRuntime,
  type ClientAssertionSource,
} from './client-assertion.js';
import { federatedTokenFile } from './federated-token-file.js';
import { ManagedIdentityToken } from './managed-identity-token.js';

export type { AssertionRuntime, ClientAssertionSource } from './client-assertion.js';

/**
 * The source of the client assertion the settings describe. Made once per provider connection,
 * so that a managed identity's token is cached for every sign-in it serves.
 */
export function clientAssertionSourceFor(
  settings: ClientAssertionSettings,
  runtime: AssertionRuntime,
): ClientAssertionSource {
  switch (settings.kind) {
    case 'file':
      return federatedTokenFile(settings.path, runtime);
    case 'managed-identity':
      return new ManagedIdentityToken(settings, runtime);
    case 'callback':
      return { assertion: () => callAssertionFunction(settings.get) };
  }
}

async function callAssertionFunction(get: () => Promise<string>): Promise<string> {
  let token: unknown;
  try {
    token = await get();
  } catch (cause) {
    throw assertionUnavailable('The clientAssertion function failed', cause);
  }
  if (typeof token !== 'string' || readAssertionClaims(token) === null) {
    throw assertionUnavailable('The clientAssertion function resolved to something not a JWT');
  }
  return token;
}
