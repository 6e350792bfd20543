import * as oidc from 'openid-client';
import { AppError } from '../errors.js';
import { findEntraErrorCode } from '../entra/entra-error.js';
import { safeProviderCode } from '../log-safe.js';
import type { ProviderConnection } from '../provider/provider-connection.js';
import { translateProviderError } from '../provider/translate-provider-error.js';

/** What a refresh gave. */
export interface RefreshedTokens {
  readonly accessToken: string;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
  readonly granted: readonly string[];
  /** A new refresh token, when the provider rotated it. */
  readonly refreshToken: string | undefined;
}

// Entra's codes that mean "the person must be at the provider again" rather than "the refresh
// token is dead": consent not given (65001), MFA or another interaction asked (50076, 50079,
// 50158, 50125, 50155), which a trip to the authorization endpoint can satisfy.
// https://learn.microsoft.com/entra/identity-platform/reference-error-codes
const INTERACTION_CODES = new Set([
  'AADSTS65001',
  'AADSTS50076',
  'AADSTS50079',
  'AADSTS50158',
  'AADSTS50125',
  'AADSTS50155',
  'AADSTS16000',
]);
const INTERACTION_ERRORS = new Set([
  'interaction_required',
  'consent_required',
  'login_required',
  'invalid_scope',
]);

/**
 * Redeems the refresh token for an access token to `scopes` (RFC 6749 §6). The ID token that may
 * come with it is validated as at sign-in, and must speak of the same person to the same client
 * (OpenID Connect Core §12.2); when it does not, the caller ends the session.
 *
 * Failures become: `API_INTERACTION_REQUIRED` (consent or claims the person must give at the
 * provider), `API_SIGN_IN_AGAIN` (the refresh token is dead: revoked, expired, password changed;
 * `facts.endSession` when the answer named someone else), `API_TOKEN_UNAVAILABLE` (the token
 * endpoint failed or did not answer), `AUTH_CLIENT_REJECTED` (the app's credentials).
 */
export async function redeemRefreshToken(
  provider: ProviderConnection,
  request: {
    readonly refreshToken: string;
    readonly scopes: readonly string[];
    readonly claims: string | undefined;
    readonly sessionClaims: Readonly<Record<string, unknown>>;
    readonly now: number;
  },
): Promise<RefreshedTokens> {
  const configuration = await provider.configuration();
  let response: Awaited<ReturnType<typeof oidc.refreshTokenGrant>>;
  try {
    response = await oidc.refreshTokenGrant(configuration, request.refreshToken, {
      // openid: so that Entra sends an ID token, which is how we learn the grant is still the
      // same person's.
      scope: ['openid', 'offline_access', ...request.scopes].join(' '),
      ...(request.claims === undefined ? {} : { claims: request.claims }),
    });
  } catch (cause) {
    throw refreshError(cause);
  }
  const claims = response.claims();
  if (claims !== undefined) checkSamePerson(claims, request.sessionClaims);
  const expiresIn = typeof response.expires_in === 'number' ? response.expires_in : 3600;
  return {
    accessToken: response.access_token,
    expiresAt: request.now + expiresIn * 1000,
    granted: typeof response.scope === 'string' ? response.scope.split(' ').filter(Boolean) : [],
    refreshToken: response.refresh_token,
  };
}

function refreshError(cause: unknown): AppError {
  if (cause instanceof oidc.ResponseBodyError) {
    const providerCode = safeProviderCode(
      findEntraErrorCode(cause.error_description) ?? cause.error,
    );
    const options = {
      cause,
      providerCode,
      providerDescription: cause.error_description,
      facts: { tokenEndpointStatus: cause.status },
    };
    const suberror = (cause.cause as { suberror?: unknown } | undefined)?.suberror;
    if (
      INTERACTION_ERRORS.has(cause.error) ||
      INTERACTION_CODES.has(providerCode) ||
      suberror === 'consent_required'
    ) {
      return new AppError(
        'API_INTERACTION_REQUIRED',
        `The refresh was refused: ${providerCode}`,
        options,
      );
    }
    if (cause.error === 'invalid_client' || cause.error === 'unauthorized_client') {
      return translateProviderError(cause);
    }
    if (
      cause.error === 'temporarily_unavailable' ||
      cause.error === 'server_error' ||
      cause.status >= 500
    ) {
      return new AppError(
        'API_TOKEN_UNAVAILABLE',
        `The token endpoint answered ${providerCode}`,
        options,
      );
    }
    return new AppError(
      'API_SIGN_IN_AGAIN',
      `The refresh token was refused: ${providerCode}`,
      options,
    );
  }
  const translated = translateProviderError(cause);
  if (translated.code === 'AUTH_TOKEN_INVALID') {
    // An ID token we cannot trust, in the answer to our own refresh token: the session ends.
    return new AppError('API_SIGN_IN_AGAIN', translated.message, {
      cause,
      facts: { endSession: 'untrusted ID token' },
    });
  }
  if (translated.code === 'AUTH_CLIENT_REJECTED') return translated;
  return new AppError('API_TOKEN_UNAVAILABLE', 'The token endpoint did not answer the refresh', {
    cause,
  });
}

/**
 * OpenID Connect Core §12.2: a refreshed ID token has the `iss`, `sub`, `aud` (and `azp`) of the
 * first one.
 */
function checkSamePerson(
  refreshed: Readonly<Record<string, unknown>>,
  original: Readonly<Record<string, unknown>>,
): void {
  for (const name of ['iss', 'sub', 'aud', 'azp']) {
    if (name === 'azp' && refreshed[name] === undefined) continue;
    if (audienceOf(refreshed[name]) !== audienceOf(original[name])) {
      throw new AppError('API_SIGN_IN_AGAIN', `The refreshed ID token has another ${name}`, {
        facts: { endSession: `refreshed ID token with another ${name}` },
      });
    }
  }
}

function audienceOf(value: unknown): string {
  if (Array.isArray(value)) return (value as unknown[]).map(String).sort().join(' ');
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}
