import { errors as joseErrors } from 'jose';
import * as oidc from 'openid-client';
import { AppError } from '../errors.js';
import { findEntraErrorCode } from '../entra/entra-error.js';
import { safeProviderCode } from '../log-safe.js';
import { isNetworkFailure } from './network-failure.js';

// The checks of the ID token and its envelope: a failure of one means the token is not to be
// trusted, whatever the provider meant.
const tokenCheckCodes = new Set([
  'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
  'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
  'OAUTH_KEY_SELECTION_FAILED',
  'OAUTH_INVALID_RESPONSE',
  'OAUTH_PARSE_ERROR',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWS_INVALID',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
]);

/**
 * The one boundary where openid-client's and the network's errors become {@link AppError}s.
 * The original error stays as `cause` for the log; nothing of it is shown to the person.
 */
export function translateProviderError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  // An AppError from our own hooks (the client assertion), which openid-client wraps.
  if (error instanceof oidc.ClientError && error.cause instanceof AppError) return error.cause;
  if (error instanceof oidc.ResponseBodyError) {
    const providerCode = safeProviderCode(
      findEntraErrorCode(error.error_description) ?? error.error,
    );
    // The client itself was refused (wrong secret, wrong method): the app's fault, not the code's.
    const code =
      error.error === 'invalid_client' || error.error === 'unauthorized_client'
        ? 'AUTH_CLIENT_REJECTED'
        : 'AUTH_CODE_REJECTED';
    return new AppError(code, `The token endpoint answered ${providerCode}`, {
      cause: error,
      providerCode,
      providerDescription: error.error_description,
      facts: { tokenEndpointStatus: error.status },
    });
  }
  // A 401 with a WWW-Authenticate challenge (what oidc-provider and others send for a client
  // that failed HTTP Basic authentication) is the same refusal in another envelope.
  if (error instanceof oidc.WWWAuthenticateChallengeError) {
    const challenge = error.cause.find((c) => c.parameters.error !== undefined);
    const oauthError = challenge?.parameters.error ?? 'invalid_client';
    const providerCode = safeProviderCode(
      findEntraErrorCode(challenge?.parameters.error_description) ?? oauthError,
    );
    return new AppError('AUTH_CLIENT_REJECTED', `The token endpoint answered ${providerCode}`, {
      cause: error,
      providerCode,
      providerDescription: challenge?.parameters.error_description,
      facts: { tokenEndpointStatus: error.status },
    });
  }
  if (isNetworkFailure(error)) {
    return new AppError('AUTH_PROVIDER_UNREACHABLE', 'The identity provider did not answer', {
      cause: error,
    });
  }
  const code = errorCode(error);
  if (code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || code === 'OAUTH_RESPONSE_IS_NOT_JSON') {
    return new AppError(
      'AUTH_PROVIDER_UNREACHABLE',
      'The identity provider answered unexpectedly',
      {
        cause: error,
      },
    );
  }
  if (
    code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED' ||
    code === 'OAUTH_INVALID_SERVER_METADATA'
  ) {
    return new AppError(
      'AUTH_DISCOVERY_INVALID',
      'The discovery document does not describe the configured AUTHORITY',
      { cause: error },
    );
  }
  if (code !== undefined && tokenCheckCodes.has(code)) {
    return new AppError('AUTH_TOKEN_INVALID', `The ID token failed a check (${code})`, {
      cause: error,
    });
  }
  if (error instanceof oidc.ClientError) {
    return new AppError(
      'AUTH_TOKEN_INVALID',
      `The provider's answer failed a check (${code ?? 'unknown'})`,
      {
        cause: error,
      },
    );
  }
  return new AppError('INTERNAL', 'Unexpected error while talking to the identity provider', {
    cause: error,
  });
}

/**
 * The boundary for jose's errors while checking a logout token: a token that fails is
 * `LOGOUT_TOKEN_INVALID`; keys that cannot be fetched are the provider's fault, not the token's.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#Validation
 */
export function translateLogoutTokenError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (
    isNetworkFailure(error) ||
    error instanceof joseErrors.JWKSTimeout ||
    (error instanceof joseErrors.JOSEError && error.code === 'ERR_JWKS_INVALID')
  ) {
    return new AppError('AUTH_PROVIDER_UNREACHABLE', "The provider's keys could not be fetched", {
      cause: error,
    });
  }
  const code = error instanceof joseErrors.JOSEError ? error.code : 'not a JOSE error';
  return new AppError('LOGOUT_TOKEN_INVALID', `The logout token failed a check (${code})`, {
    cause: error,
  });
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const own = (error as { code?: unknown }).code;
  const inner = (error as { cause?: { code?: unknown } }).cause?.code;
  const code = typeof inner === 'string' && own === 'OAUTH_INVALID_RESPONSE' ? inner : own;
  return typeof code === 'string' ? code : undefined;
}
