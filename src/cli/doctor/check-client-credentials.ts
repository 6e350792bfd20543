/**
 * The doctor's credentials check: proves that CLIENT_ID, the credential and the tenant belong
 * together before anyone tries to sign in, with a token request that changes nothing:
 * - a client-credentials request (RFC 6749 §4.4) for `{GRAPH_URL}/.default`, a scope any
 *   confidential Entra client may ask for; or, when the provider does not offer that grant,
 * - a code exchange (RFC 6749 §4.1.3) with a made-up code and the registered redirect URI: the
 *   provider authenticates the client before it looks at the code, so `invalid_grant` means the
 *   client was accepted, and `invalid_client` or `unauthorized_client` that it was not (§5.2).
 */
import * as oidc from 'openid-client';
import type { ClientAssertionSource } from '../../core/credentials/client-assertion-source.js';
import { findEntraErrorCode } from '../../core/entra/entra-error.js';
import { isAppError } from '../../core/errors.js';
import { clientAuthenticationFor } from '../../core/provider/client-authentication.js';
import type { ProviderFetch } from '../../core/provider/provider-connection.js';
import type { Config } from '../../app/config.js';
import { allowLoopbackHttp } from '../allow-loopback-http.js';
import { describeFailure } from '../../core/describe-failure.js';
import { isNetworkFailure } from '../../core/provider/network-failure.js';
import type { CheckResult } from './check-result.js';
import { credentialName } from './credential-names.js';
import { entraSentence } from './entra-sentences.js';

const TITLE = 'The client credentials work';

// Recognisable in the provider's logs; no provider issues codes that look like this.
const MADE_UP_CODE = 'entra-signin-doctor-made-up-code';

/** Where the check asks for the Graph scope, and how it reaches the provider. */
export interface CredentialsCheckOptions {
  readonly graphUrl: string;
  readonly providerFetch: ProviderFetch;
  /** With a federated credential: where its token comes from (the assertion check's). */
  readonly assertions?: ClientAssertionSource | null;
}

// What one proof found: the client accepted, the grant not available to try, or a result.
type Proof = 'accepted' | { readonly unavailable: string } | CheckResult;

/** Asks the token endpoint for a token with the app's credentials, the way the app sends them. */
export async function checkClientCredentials(
  config: Config,
  metadata: Record<string, unknown>,
  options: CredentialsCheckOptions,
): Promise<CheckResult> {
  if (typeof metadata['token_endpoint'] !== 'string') {
    return notChecked('the discovery document names no token endpoint');
  }
  const configuration = await configurationFor(config, metadata, options);
  // Without grant_types_supported a provider offers the code grant (RFC 8414 §2); we try the
  // client_credentials grant as well, since Entra lists no grants at all.
  const grants = metadata['grant_types_supported'];
  const offers = (grant: string) => !Array.isArray(grants) || grants.includes(grant);

  let clientCredentials: Proof = { unavailable: 'the client_credentials grant is not offered' };
  if (offers('client_credentials')) {
    clientCredentials = await prove(config, 'client_credentials', () =>
      oidc.clientCredentialsGrant(configuration, { scope: `${options.graphUrl}/.default` }),
    );
    if (clientCredentials === 'accepted') return passed(config, '');
    if (!('unavailable' in clientCredentials)) return clientCredentials;
  }
  const code: Proof = offers('authorization_code')
    ? await prove(config, 'authorization_code', () =>
        oidc.genericGrantRequest(configuration, 'authorization_code', {
          code: MADE_UP_CODE,
          redirect_uri: config.redirectUri,
        }),
      )
    : { unavailable: 'the authorization_code grant is not offered' };
  if (code === 'accepted') {
    return passed(config, ' (it refused only the made-up code of a test code exchange)');
  }
  if ('unavailable' in code) {
    return notChecked(`${clientCredentials.unavailable}, and ${code.unavailable}`);
  }
  return code;
}

async function configurationFor(
  config: Config,
  metadata: Record<string, unknown>,
  { providerFetch, assertions }: CredentialsCheckOptions,
): Promise<oidc.Configuration> {
  const { clientId, clientSecret, timeoutSeconds } = config.oidc;
  const tokenEndpoint = String(metadata['token_endpoint']);
  const configuration = new oidc.Configuration(
    metadata as unknown as oidc.ServerMetadata,
    clientId,
    clientSecret === '' ? {} : { client_secret: clientSecret },
    // The same client authentication as the app's code exchange (core/provider).
    await clientAuthenticationFor(config.oidc, () => tokenEndpoint, assertions ?? null),
  );
  configuration.timeout = timeoutSeconds;
  configuration[oidc.customFetch] = (url, init) => providerFetch(url, init as RequestInit);
  allowLoopbackHttp(configuration, tokenEndpoint);
  return configuration;
}

// Sends one test request.
async function prove(
  config: Config,
  grant: 'client_credentials' | 'authorization_code',
  request: () => Promise<unknown>,
): Promise<Proof> {
  try {
    await request();
    return 'accepted';
  } catch (error) {
    if (error instanceof oidc.ResponseBodyError) return readRefusal(config, grant, error);
    // A 401 with a WWW-Authenticate challenge (oidc-provider's answer to a client that failed
    // HTTP Basic authentication) carries the same error in another envelope (RFC 6750 §3).
    if (error instanceof oidc.WWWAuthenticateChallengeError) {
      const challenge = error.cause.find((c) => c.parameters.error !== undefined)?.parameters;
      return readRefusal(config, grant, {
        error: challenge?.error ?? 'invalid_client',
        error_description: challenge?.error_description,
      });
    }
    return unanswered(error);
  }
}

/** An OAuth error answer's two fields (RFC 6749 §5.2). */
interface OAuthErrorAnswer {
  readonly error: string;
  readonly error_description?: string | undefined;
}

// An error answer, read as RFC 6749 §5.2 defines its codes.
function readRefusal(
  config: Config,
  grant: 'client_credentials' | 'authorization_code',
  error: OAuthErrorAnswer,
): Proof {
  // The code exchange gets past client authentication only to find the code unknown.
  if (grant === 'authorization_code' && error.error === 'invalid_grant') return 'accepted';
  const code = findEntraErrorCode(error.error_description);
  const known = entraSentence(code, config);
  if (known) return { title: TITLE, status: 'fail', ...known };
  if (
    error.error === 'invalid_client' ||
    (grant === 'authorization_code' && error.error === 'unauthorized_client')
  ) {
    return {
      title: TITLE,
      status: 'fail',
      detail: `The token endpoint refused the client’s credentials (${error.error}${code ? `, ${code}` : ''}).`,
      fix:
        config.oidc.clientAssertion === null
          ? 'Check that CLIENT_ID is the Application (client) ID and CLIENT_SECRET a current secret’s Value of the same registration.'
          : 'Check that CLIENT_ID is the Application (client) ID of the registration whose federated credential has the issuer, subject and audience of the token (the line above names them).',
    };
  }
  if (
    grant === 'client_credentials' &&
    ['unauthorized_client', 'unsupported_grant_type'].includes(error.error)
  ) {
    return {
      unavailable: `the provider does not allow this client the client_credentials grant (${error.error})`,
    };
  }
  if (grant === 'authorization_code') {
    return { unavailable: `the test code exchange was answered ${error.error}` };
  }
  return {
    title: TITLE,
    status: 'fail',
    detail: `The token endpoint answered ${error.error}${code ? ` (${code})` : ''}.`,
    fix: 'Look the code up in the README’s Troubleshooting section, and check CLIENT_ID and CLIENT_SECRET.',
  };
}

function unanswered(error: unknown): CheckResult {
  // The client assertion could not be had after all (openid-client wraps our hook's error).
  const cause = error instanceof oidc.ClientError ? error.cause : undefined;
  if (isAppError(cause)) {
    return { title: TITLE, status: 'fail', detail: `${cause.message}.`, fix: cause.title };
  }
  return {
    title: TITLE,
    status: 'fail',
    detail: isNetworkFailure(error)
      ? `The token endpoint cannot be reached: ${describeFailure(error, { form: 'sentence' })}.`
      : `The token endpoint’s answer was not understood (${error instanceof Error ? error.message : 'unknown error'}).`,
    fix: 'Check AUTHORITY and the network between this machine and the provider.',
  };
}

function passed(config: Config, how: string): CheckResult {
  return {
    title: TITLE,
    status: 'pass',
    detail: `The token endpoint accepted CLIENT_ID ${config.oidc.clientId} and ${credentialName(config.oidc)}${how}.`,
  };
}

// Said plainly: a skipped check would read as "No problems found" with a wrong secret.
function notChecked(reason: string): CheckResult {
  return {
    title: TITLE,
    status: 'warn',
    detail: `CLIENT_ID and the credential were not checked (${reason}): a wrong one shows only at the first sign-in.`,
    fix: 'Sign in once (npm start) to try them, or check CLIENT_ID and CLIENT_SECRET against the registration by eye.',
  };
}
