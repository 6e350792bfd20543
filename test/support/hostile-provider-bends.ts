import { randomUUID } from 'node:crypto';
import type { CryptoKey, JWK, JWTPayload } from 'jose';

/** How the hostile provider signs a JWT; every field bends one thing. */
export interface SignedJwt {
  /** Sign with this key instead of the newest. */
  readonly key?: { readonly kid: string; readonly privateKey: CryptoKey; readonly jwk: JWK };
  /** The `kid` header: another value, or `null` for none. */
  readonly kid?: string | null;
  /** `none`: an unsigned JWT (`alg: none`, empty signature). */
  readonly alg?: 'none';
  readonly typ?: string;
  /** Damage the signature after signing. */
  readonly corruptSignature?: boolean;
}

/** A token endpoint answer that is not a token response. */
export type BentTokenAnswer = 'hang' | { readonly status: number; readonly body: unknown } | null;

/**
 * How the provider answers `grant_type=refresh_token` once the client has authenticated:
 * - `ok`: honestly (the refresh token is still checked: issued, not used, not revoked);
 * - `invalid_grant`: Entra's refusal, with the AADSTS code of `refreshAadsts`;
 * - `server-error`: 500 with Entra's `server_error` body;
 * - `hang`: never answers (the connection closes with the provider);
 * - `other-sub`, `other-aud`: an honest answer whose ID token names another person, or was
 *   issued to another client;
 * - `no-id-token`: an honest answer without an ID token.
 */
export type RefreshOutcome =
  'ok' | 'invalid_grant' | 'server-error' | 'hang' | 'other-sub' | 'other-aud' | 'no-id-token';

/**
 * What a redeemed refresh token becomes:
 * - `rotate`: the answer carries a new refresh token and the old one is refused from then on
 *   (OAuth 2.0 Security BCP §4.14.2);
 * - `none`: the answer carries no refresh token, and the old one stays good (RFC 6749 §6);
 * - `lenient`: a new refresh token, and the old one stays good too (what Entra does).
 */
export type RefreshRotation = 'rotate' | 'none' | 'lenient';

/**
 * What a test may bend in the hostile provider's answers. Each is called with the honest answer
 * and returns what is sent instead; the defaults send the honest answer.
 */
export interface ProviderBends {
  /** Endpoints that drop the connection without an answer, as an unreachable host would. */
  unreachable: { discovery: boolean; jwks: boolean };
  discovery: (document: Record<string, unknown>) => unknown;
  jwks: (jwks: { keys: JWK[] }) => unknown;
  /** The parameters of the redirect back to the app (`code`, `state`). */
  authorization: (answer: URLSearchParams) => URLSearchParams;
  /** Replace the whole token endpoint answer, for every grant (`null`: answer honestly). */
  tokenEndpoint: () => BentTokenAnswer;
  idTokenClaims: (claims: JWTPayload) => JWTPayload;
  /** How every ID token is signed, the refresh grant's included. */
  idTokenSigning: SignedJwt;
  /** The claims of every JWT access token (code and refresh grants). */
  accessTokenClaims: (claims: JWTPayload) => JWTPayload;
  /** `expires_in` of every token response, and so the access token's `exp`. */
  expiresIn: number;
  /**
   * Whether the code grant hands out a refresh token when `offline_access` was not asked.
   * OAuth lets a provider (RFC 6749 §5.1) and this one always has, which the existing suites
   * rely on; Entra does not: set `false` to play Entra.
   */
  refreshTokenWithoutOfflineAccess: boolean;
  refresh: RefreshOutcome;
  /** The AADSTS code of `refresh: 'invalid_grant'` (default `700082`); see {@link entraTokenError}. */
  refreshAadsts?: EntraErrorCode | undefined;
  refreshRotation: RefreshRotation;
  /** How long a refresh takes to answer: long enough for racing requests to overlap. */
  refreshDelayMs: number;
  /** The claims of the ID token a refresh returns (after `refresh`'s own bend). */
  refreshIdTokenClaims: (claims: JWTPayload) => JWTPayload;
}

/** Bends that bend nothing: the provider answers honestly. */
export function bendsFree(): ProviderBends {
  return {
    unreachable: { discovery: false, jwks: false },
    discovery: (document) => document,
    jwks: (jwks) => jwks,
    authorization: (answer) => answer,
    tokenEndpoint: () => null,
    idTokenClaims: (claims) => claims,
    idTokenSigning: {},
    accessTokenClaims: (claims) => claims,
    expiresIn: 3600,
    refreshTokenWithoutOfflineAccess: true,
    refresh: 'ok',
    refreshRotation: 'rotate',
    refreshDelayMs: 0,
    refreshIdTokenClaims: (claims) => claims,
  };
}

/**
 * An AADSTS code the provider has Entra's words for (offered by completion); any other string
 * gets a generic text.
 */
export type EntraErrorCode = keyof typeof ENTRA_ERRORS | (string & {});

interface EntraErrorText {
  readonly error: string;
  readonly suberror?: string;
  readonly text: (context: EntraErrorContext) => string;
}

interface EntraErrorContext {
  readonly clientId: string;
  readonly issuedAt: string;
}

// The texts of Microsoft's AADSTS reference (placeholders filled in), with the `suberror` MSAL
// documents for each. https://learn.microsoft.com/entra/identity-platform/reference-error-codes
const ENTRA_ERRORS = {
  '50173': {
    error: 'invalid_grant',
    suberror: 'bad_token',
    text: (c: EntraErrorContext) =>
      `The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '${c.issuedAt}' and the TokensValidFrom date (before which tokens are not valid) for this user is '${new Date().toISOString()}'.`,
  },
  '700082': {
    error: 'invalid_grant',
    suberror: 'bad_token',
    text: (c: EntraErrorContext) =>
      `The refresh token has expired due to inactivity. The token was issued on ${c.issuedAt} and was inactive for 90.00:00:00.`,
  },
  '70043': {
    error: 'invalid_grant',
    suberror: 'bad_token',
    text: (c: EntraErrorContext) =>
      `The refresh token has expired or is invalid due to sign-in frequency checks by conditional access. The token was issued on ${c.issuedAt} and the maximum allowed lifetime for this request is 3600.`,
  },
  '65001': {
    error: 'invalid_grant',
    suberror: 'consent_required',
    text: (c: EntraErrorContext) =>
      `The user or administrator has not consented to use the application with ID '${c.clientId}' named 'Hostile test app'. Send an interactive authorization request for this user and resource.`,
  },
  '50076': {
    error: 'invalid_grant',
    suberror: 'basic_action',
    text: () =>
      `Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'.`,
  },
  // What Entra says of a refresh token it does not know (or one this provider has seen spent).
  '70000': { error: 'invalid_grant', text: () => 'Provided grant is invalid or malformed.' },
  '50000': {
    error: 'server_error',
    text: () => 'There was an error issuing a token or an issue with our sign-in service.',
  },
} satisfies Record<string, EntraErrorText>;

/**
 * The token endpoint's error body in Entra's shape: `error`, `error_description` ending in the
 * trace, correlation and timestamp lines, `error_codes`, `timestamp`, `trace_id`,
 * `correlation_id`, `error_uri` and, where Entra sends one, `suberror`.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/reference-error-codes#handling-error-codes-in-your-application
 */
export function entraTokenError(
  code: EntraErrorCode,
  context: EntraErrorContext,
): Record<string, unknown> {
  const known: EntraErrorText | undefined = (ENTRA_ERRORS as Record<string, EntraErrorText>)[code];
  const timestamp = `${new Date().toISOString().slice(0, 19).replace('T', ' ')}Z`;
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const text = known?.text(context) ?? 'The hostile provider has no text for this code.';
  return {
    error: known?.error ?? 'invalid_grant',
    error_description: `AADSTS${code}: ${text}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [Number(code)],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    ...(known?.suberror === undefined ? {} : { suberror: known.suberror }),
  };
}
