/**
 * The doctor's credentials check: a client-credentials token request (RFC 6749 §4.4) for
 * `{GRAPH_URL}/.default`, a scope any confidential Entra client may ask for, proves that
 * CLIENT_ID, CLIENT_SECRET and the tenant belong together before anyone tries to sign in.
 */
import { clientAuthenticationFor } from '../../core/provider/client-authentication.js';
import * as oidc from 'openid-client';
import { findEntraErrorCode } from '../../core/entra/entra-error.js';
import type { Config } from '../../app/config.js';
import { allowLoopbackHttp } from '../allow-loopback-http.js';
import { describeNetworkFailure, isNetworkFailure } from '../network-failure.js';
import type { CheckResult } from './check-result.js';
import { entraSentence } from './entra-sentences.js';

const TITLE = 'The client credentials work';

/** Asks the token endpoint for a token with the app's credentials, the way the app sends them. */
export async function checkClientCredentials(
  config: Config,
  metadata: Record<string, unknown>,
  graphUrl: string,
): Promise<CheckResult> {
  const grants = metadata['grant_types_supported'];
  if (Array.isArray(grants) && !grants.includes('client_credentials')) {
    return skipped('The provider does not offer the client_credentials grant');
  }
  const { clientId, clientSecret, timeoutSeconds } = config.oidc;
  const configuration = new oidc.Configuration(
    metadata as unknown as oidc.ServerMetadata,
    clientId,
    clientSecret === '' ? {} : { client_secret: clientSecret },
    // The same client authentication as the app's code exchange (src/auth/provider-connection.ts).
    await clientAuthenticationFor(config.oidc, () => String(metadata['token_endpoint'])),
  );
  configuration.timeout = timeoutSeconds;
  allowLoopbackHttp(configuration, String(metadata['token_endpoint']));
  try {
    await oidc.clientCredentialsGrant(configuration, { scope: `${graphUrl}/.default` });
  } catch (error) {
    return explainFailure(error, config);
  }
  return {
    title: TITLE,
    status: 'pass',
    detail: `The token endpoint accepted CLIENT_ID ${clientId} and ${config.oidc.clientCertificate === null ? 'CLIENT_SECRET' : 'the client certificate'}.`,
  };
}

function explainFailure(error: unknown, config: Config): CheckResult {
  if (error instanceof oidc.ResponseBodyError) {
    const code = findEntraErrorCode(error.error_description);
    const known = entraSentence(code, config);
    if (known) return { title: TITLE, status: 'fail', ...known };
    if (error.error === 'unauthorized_client' || error.error === 'unsupported_grant_type') {
      return skipped(
        `The provider does not allow this client the client_credentials grant (${error.error})`,
      );
    }
    if (error.error === 'invalid_client') {
      return {
        title: TITLE,
        status: 'fail',
        detail: `The token endpoint refused the client’s credentials (invalid_client${code ? `, ${code}` : ''}).`,
        fix: 'Check that CLIENT_ID is the Application (client) ID and CLIENT_SECRET a current secret’s Value of the same registration.',
      };
    }
    return {
      title: TITLE,
      status: 'fail',
      detail: `The token endpoint answered ${error.error}${code ? ` (${code})` : ''}.`,
      fix: 'Look the code up in the README’s Troubleshooting section, and check CLIENT_ID and CLIENT_SECRET.',
    };
  }
  return {
    title: TITLE,
    status: 'fail',
    detail: isNetworkFailure(error)
      ? `The token endpoint cannot be reached: ${describeNetworkFailure(error, 'no answer within PROVIDER_TIMEOUT')}.`
      : `The token endpoint’s answer was not understood (${error instanceof Error ? error.message : 'unknown error'}).`,
    fix: 'Check AUTHORITY and the network between this machine and the provider.',
  };
}

function skipped(reason: string): CheckResult {
  return {
    title: TITLE,
    status: 'skip',
    detail: `${reason}: the credentials are checked at the first sign-in instead.`,
  };
}
