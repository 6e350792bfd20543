import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import { AppError, type ErrorCode } from '../errors.js';
import type { SignInAttempt } from '../session/attempt-cookies.js';
import type { SignedInUser } from '../session/session-store.js';
import { safeForLog, safeProviderCode } from '../log-safe.js';
import { findEntraErrorCode } from '../entra/entra-error.js';
import { checkTenantIssuer } from '../entra/entra-tenant.js';
import type { ProviderConnection } from '../provider/provider-connection.js';
import { sanitizeReturnTo } from '../return-to.js';
import { translateProviderError } from '../provider/translate-provider-error.js';
import { describeUser } from '../signed-in-user.js';
import type { SignInTokens } from '../tokens/api-tokens.js';

/** Where to send the browser, and what to remember until it comes back. */
export interface AuthorizationRequest {
  readonly url: URL;
  readonly state: string;
  readonly attempt: SignInAttempt;
}

/**
 * Builds the authorization request of the code flow, with a fresh `state`, `nonce` and PKCE
 * verifier (S256) for this attempt alone.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth
 * @see https://www.rfc-editor.org/rfc/rfc7636 (PKCE)
 */
export async function buildAuthorizationRequest(
  provider: ProviderConnection,
  options: {
    redirectUri: string;
    returnTo: unknown;
    now: number;
    crossSite: boolean;
    /** Scopes for APIs (with `offline_access`), asked for besides the sign-in's own. */
    extraScopes?: readonly string[] | undefined;
    /** The `claims` parameter (client capabilities, a claims challenge). */
    claims?: string | undefined;
    /** Who is expected to sign in, so the provider need not ask which account. */
    loginHint?: string | undefined;
    /** `select_account`: let the person pick another account than the one signed in. */
    prompt?: 'select_account' | undefined;
    interaction?: string | undefined;
    earlierInteractions?: SignInAttempt['earlierInteractions'];
  },
): Promise<AuthorizationRequest> {
  const configuration = await provider.configuration();
  const state = oidc.randomState();
  const extra = options.extraScopes ?? [];
  const apiScopes = extra.filter((scope) => scope !== 'offline_access');
  const attempt: SignInAttempt = {
    nonce: oidc.randomNonce(),
    codeVerifier: oidc.randomPKCECodeVerifier(),
    returnTo: sanitizeReturnTo(options.returnTo),
    startedAt: options.now,
    crossSite: options.crossSite,
    ...(apiScopes.length === 0 ? {} : { apiScopes }),
    ...(options.interaction === undefined ? {} : { interaction: options.interaction }),
    ...(options.earlierInteractions === undefined || options.earlierInteractions.length === 0
      ? {}
      : { earlierInteractions: options.earlierInteractions }),
  };
  const scopes = [...new Set([...provider.settings.scopes.split(/\s+/), ...extra])];
  const url = oidc.buildAuthorizationUrl(configuration, {
    redirect_uri: options.redirectUri,
    response_type: 'code',
    response_mode: 'query',
    scope: scopes.join(' '),
    state,
    nonce: attempt.nonce,
    code_challenge: pkceChallengeOf(attempt.codeVerifier),
    code_challenge_method: 'S256',
    ...(options.claims === undefined ? {} : { claims: options.claims }),
    ...(options.loginHint === undefined ? {} : { login_hint: options.loginHint }),
    ...(options.prompt === undefined ? {} : { prompt: options.prompt }),
  });
  return { url, state, attempt };
}

/**
 * The S256 code challenge: BASE64URL(SHA-256(ASCII(verifier))). Computed here rather than by
 * openid-client, whose WebCrypto digest of these 43 bytes goes through the thread pool and cost
 * about 3 % of a complete sign-in's CPU (npm run bench, login profile).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2
 */
export function pkceChallengeOf(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/**
 * Reads the provider's answer at the redirect URI (RFC 6749 §4.1.2) and returns its parameters
 * and `state`. Throws for an answer that is malformed: no state, or a repeated parameter
 * (RFC 6749 §3.1: parameters must not be repeated; a repeated one is a sign of tampering).
 */
export function readAnswer(query: string): { params: URLSearchParams; state: string } {
  const params = new URLSearchParams(query);
  rejectRepeatedParameters(params, 'AUTH_CALLBACK_INVALID');
  const state = params.get('state');
  if (state === null || state === '') {
    throw new AppError('AUTH_CALLBACK_INVALID', 'The answer has no state');
  }
  return { params, state };
}

/** Throws `code` when a parameter appears more than once. */
export function rejectRepeatedParameters(params: URLSearchParams, code: ErrorCode): void {
  const names = new Set<string>();
  for (const name of params.keys()) {
    if (names.has(name)) throw new AppError(code, `The parameter ${safeForLog(name)} is repeated`);
    names.add(name);
  }
}

/** Refuses an attempt older than the sign-in timeout. */
export function checkAttemptAge(
  attempt: SignInAttempt,
  now: number,
  signInTimeoutMs: number,
): void {
  if (now - attempt.startedAt > signInTimeoutMs) {
    throw new AppError(
      'AUTH_ATTEMPT_EXPIRED',
      'The sign-in attempt is older than the sign-in timeout',
    );
  }
}

/** A sign-in answer matched to the attempt it answers. */
export interface MatchedAnswer {
  readonly params: URLSearchParams;
  readonly state: string;
  readonly attempt: SignInAttempt;
}

/** What came of a matched sign-in answer that did not fail. */
export type SignInOutcome =
  | {
      readonly outcome: 'signed-in';
      readonly user: SignedInUser;
      readonly returnTo: string;
      /** What the token response carried for APIs. */
      readonly tokens: SignInTokens;
    }
  | {
      readonly outcome: 'cancelled';
      readonly providerCode: string;
      readonly providerDescription: string | undefined;
    };

/**
 * Completes a matched sign-in: exchanges the code (with the PKCE verifier) and validates the ID
 * token (signature against the provider's keys, issuer, audience, nonce, times). A person who
 * declined is an outcome; every answer that must not sign anyone in throws an {@link AppError}.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowSteps
 */
export async function completeSignIn(
  provider: ProviderConnection,
  answer: MatchedAnswer,
  options: { redirectUri: string; now: number },
): Promise<SignInOutcome> {
  const { params, state, attempt } = answer;
  // RFC 9207 §2.4: the issuer is checked before anything else in the answer, errors included.
  const iss = params.get('iss');
  if (iss !== null && !(await provider.acceptsIssuer(iss))) {
    throw new AppError('AUTH_ISSUER_MISMATCH', 'The answer names another issuer (RFC 9207)');
  }
  const error = params.get('error');
  if (error !== null) {
    const description = params.get('error_description') ?? undefined;
    // The provider's words reach logs and pages: only a code of the expected shape is kept.
    const providerCode = safeProviderCode(findEntraErrorCode(description) ?? error);
    if (error === 'access_denied') {
      return { outcome: 'cancelled', providerCode, providerDescription: description };
    }
    throw new AppError('AUTH_PROVIDER_ERROR', `The provider answered ${providerCode}`, {
      providerCode,
      providerDescription: description,
    });
  }
  if (params.get('code') === null) {
    throw new AppError('AUTH_CALLBACK_INVALID', 'The answer has neither a code nor an error');
  }

  const configuration = await provider.configuration();
  // The redirect URI sent to the token endpoint is taken from this URL, so it is built from the
  // configured value, never from the request's Host header.
  const currentUrl = new URL(options.redirectUri);
  currentUrl.search = params.toString();
  let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  try {
    tokens = await oidc.authorizationCodeGrant(configuration, currentUrl, {
      expectedState: state,
      expectedNonce: attempt.nonce,
      pkceCodeVerifier: attempt.codeVerifier,
      idTokenExpected: true,
    });
  } catch (cause) {
    const error = translateProviderError(cause);
    if (error.code !== 'AUTH_CLIENT_REJECTED') throw error;
    // Say how the client authenticated: a client registered for one method fails the other.
    throw new AppError('AUTH_CLIENT_REJECTED', error.message, {
      cause,
      providerCode: error.providerCode,
      providerDescription: error.providerDescription,
      facts: { ...error.facts, clientAuthMethod: await provider.clientAuthMethod() },
    });
  }
  const claims = tokens.claims();
  if (!claims || tokens.id_token === undefined) {
    throw new AppError('AUTH_TOKEN_INVALID', 'The token response has no ID token');
  }
  checkIssuedAt(claims.iat, options.now, provider.settings.clockToleranceSeconds);
  if (provider.settings.multiTenant !== null) {
    checkTenantIssuer(claims, provider.settings.multiTenant);
  }
  return {
    outcome: 'signed-in',
    user: describeUser(claims, tokens.id_token, options.now),
    returnTo: attempt.returnTo,
    tokens: {
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      expiresIn: tokens.expires_in,
      scope: tokens.scope,
    },
  };
}

/**
 * An ID token issued in the future (beyond the clock tolerance) is refused: openid-client checks
 * that `iat` is present and not too old, not that it has come to pass.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation (item 10)
 */
function checkIssuedAt(iat: unknown, nowMs: number, toleranceSeconds: number): void {
  if (typeof iat !== 'number' || iat > nowMs / 1000 + toleranceSeconds) {
    throw new AppError('AUTH_TOKEN_INVALID', 'The ID token was issued in the future (iat)');
  }
}
