/**
 * The options check of a federated credential (`clientAssertion`), called by the schema in
 * `options.ts`: one credential at a time, and a managed identity that Entra can accept.
 */
import { z } from 'zod';
import { tokenExchangeAudienceFor } from '../entra/token-exchange-audience.js';
import { GUID } from '../guid.js';
import type {
  ClientAssertionOption,
  ClientAssertionSettings,
  SettingNamer,
} from '../option-types.js';

/** The option's shape; what it means is checked by {@link resolveClientAssertion}. */
export const clientAssertionSchema = z.union([
  z.custom<() => Promise<string>>((value) => typeof value === 'function'),
  z.object({ kind: z.literal('file'), path: z.string().trim().min(1) }),
  z.object({
    kind: z.literal('managed-identity'),
    endpoint: z.string().trim().min(1),
    identityHeader: z.string().min(1),
    clientId: z.string().trim().min(1),
    audience: z.string().trim().min(1).optional(),
  }),
]);

/** The setting a person gave the client assertion by, for messages. */
export function clientAssertionName(given: ClientAssertionOption, nameOf: SettingNamer): string {
  if (typeof given === 'function') return nameOf('clientAssertion');
  return nameOf(given.kind === 'file' ? 'clientAssertion.path' : 'clientAssertion.clientId');
}

/**
 * The resolved client assertion, or `null` with a sentence in `problems` for what to change. A
 * secret or certificate given as well is refused rather than one silently winning: which
 * credential signs the app in should never depend on which variable a platform happened to set.
 */
export function resolveClientAssertion(
  given: ClientAssertionOption,
  context: { readonly authority: string; readonly secret: boolean; readonly certificate: boolean },
  nameOf: SettingNamer,
  problems: string[],
): ClientAssertionSettings | null {
  const name = clientAssertionName(given, nameOf);
  const before = problems.length;
  for (const [other, present] of [
    ['clientSecret', context.secret],
    ['clientCertificate', context.certificate],
  ] as const) {
    if (present) {
      problems.push(
        `${name} and ${nameOf(other)} are two credentials for one client: keep one (unset ${nameOf(other)} to authenticate with the federated credential, or unset ${name})`,
      );
    }
  }
  if (typeof given === 'function') {
    return problems.length > before ? null : Object.freeze({ kind: 'callback', get: given });
  }
  if (given.kind === 'file') {
    return problems.length > before ? null : Object.freeze({ kind: 'file', path: given.path });
  }
  checkIdentityEndpoint(given.endpoint, nameOf, problems);
  if (!GUID.test(given.clientId)) {
    problems.push(
      `${name} must be the client id (a GUID) of a user-assigned managed identity: Entra accepts only user-assigned managed identities as an app registration's federated credential; you gave "${given.clientId}"`,
    );
  }
  if (problems.length > before) return null;
  return Object.freeze({
    kind: 'managed-identity',
    endpoint: given.endpoint,
    identityHeader: given.identityHeader,
    clientId: given.clientId.toLowerCase(),
    audience: given.audience ?? tokenExchangeAudienceFor(context.authority),
  });
}

// The identity endpoint is wherever the platform put it (localhost for App Service and Container
// Apps, a link-local address in some containers), so its host is not checked; only its shape.
function checkIdentityEndpoint(endpoint: string, nameOf: SettingNamer, problems: string[]): void {
  const url = URL.canParse(endpoint) ? new URL(endpoint) : null;
  if (
    url === null ||
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.username !== '' ||
    url.password !== ''
  ) {
    problems.push(
      `${nameOf('clientAssertion.endpoint')} must be the http(s) URL of the platform's identity endpoint (App Service, Functions and Container Apps set it, such as http://localhost:8081/msi/token); you gave "${url === null ? endpoint : url.origin + url.pathname}"`,
    );
  }
}
