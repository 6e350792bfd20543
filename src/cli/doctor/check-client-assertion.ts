/**
 * The doctor's client assertion check, for an app with a federated credential: the token it would
 * present can be had (the file is readable and holds a JWT that has not expired; the identity
 * endpoint answers), and what the registration's federated credential must say to accept it.
 * The token itself is never printed; its issuer, subject and audience are.
 */
import type { Config } from '../../app/config.js';
import { readAssertionClaims } from '../../core/credentials/client-assertion.js';
import type { ClientAssertionSource } from '../../core/credentials/client-assertion-source.js';
import { tokenExchangeAudienceFor } from '../../core/entra/token-exchange-audience.js';
import { isAppError } from '../../core/errors.js';
import type { ClientAssertionSettings } from '../../core/options.js';
import type { CheckResult } from './check-result.js';

/** The title of this check. */
export const ASSERTION_TITLE = 'The client assertion can be obtained';

/** Gets the token the app would present, and says what the federated credential must match. */
export async function checkClientAssertion(
  config: Config,
  settings: ClientAssertionSettings,
  source: ClientAssertionSource,
): Promise<CheckResult> {
  let token: string;
  try {
    token = await source.assertion();
  } catch (error) {
    if (!isAppError(error)) throw error;
    return {
      title: ASSERTION_TITLE,
      status: 'fail',
      detail: `${error.message}.`,
      fix: fixFor(settings),
    };
  }
  const claims = readAssertionClaims(token) ?? {};
  const audiences = typeof claims.aud === 'string' ? [claims.aud] : (claims.aud ?? []);
  const issuer = typeof claims.iss === 'string' ? claims.iss : '(no iss)';
  const subject = typeof claims.sub === 'string' ? claims.sub : '(no sub)';
  const until =
    typeof claims.exp === 'number'
      ? `, valid until ${new Date(claims.exp * 1000).toISOString()}`
      : '';
  const found = `${sourceOf(settings)} gave a token issued by ${issuer} for the subject ${subject}, audience ${audiences.join(', ') || '(none)'}${until}.`;
  const expected =
    settings.kind === 'managed-identity'
      ? settings.audience
      : tokenExchangeAudienceFor(config.oidc.authority);
  const register =
    settings.kind === 'managed-identity'
      ? `npm run register -- --federated-managed-identity ${subject}`
      : `npm run register -- --federated ${issuer},${subject}`;
  if (!audiences.includes(expected)) {
    return {
      title: ASSERTION_TITLE,
      status: 'warn',
      detail: `${found} Entra expects the audience ${expected} here; another one works only if the federated credential lists exactly it, and is otherwise refused with AADSTS700212.`,
      fix: `Have the platform issue the token for ${expected} (for AKS workload identity, the default), or give the federated credential this token's audience.`,
    };
  }
  return {
    title: ASSERTION_TITLE,
    status: 'pass',
    detail: `${found} The app registration (CLIENT_ID) needs a federated credential with exactly this issuer, subject and audience (${register} adds it).`,
  };
}

function sourceOf(settings: ClientAssertionSettings): string {
  switch (settings.kind) {
    case 'file':
      return `AZURE_FEDERATED_TOKEN_FILE (${settings.path})`;
    case 'managed-identity':
      return `The managed identity endpoint (IDENTITY_ENDPOINT), for the managed identity ${settings.clientId},`;
    case 'callback':
      return 'The clientAssertion function';
  }
}

function fixFor(settings: ClientAssertionSettings): string {
  switch (settings.kind) {
    case 'file':
      return 'On AKS, label the pod azure.workload.identity/use: "true" and annotate its service account with azure.workload.identity/client-id, so that the webhook projects a fresh token file there; elsewhere, correct AZURE_FEDERATED_TOKEN_FILE.';
    case 'managed-identity':
      return 'Give the app the user-assigned managed identity whose client id is MANAGED_IDENTITY_CLIENT_ID (Identity > User assigned, in the Azure portal), and run the doctor where the app runs: IDENTITY_ENDPOINT and IDENTITY_HEADER are the platform’s own.';
    case 'callback':
      return 'Check the clientAssertion function given in the options.';
  }
}
