/**
 * What the client assertion sources share: their interface, their one error, and reading a
 * token's claims.
 */
import { decodeJwt, type JWTPayload } from 'jose';
import { AppError } from '../errors.js';

/** Where the app gets the token it presents as its client assertion. */
export interface ClientAssertionSource {
  /** The token to send now; rejects with `CLIENT_ASSERTION_UNAVAILABLE`. */
  assertion(): Promise<string>;
}

/** What a source may use besides its settings. */
export interface AssertionRuntime {
  /** How the identity endpoint is reached: the provider's `fetch`. */
  readonly fetch: (url: string, init: RequestInit) => Promise<Response>;
  readonly now: () => number;
  /** How long the identity endpoint may take: the provider timeout. */
  readonly timeoutMs: number;
  readonly clockToleranceSeconds: number;
}

/** The error every client assertion failure becomes: the message says why, never the token. */
export function assertionUnavailable(message: string, cause?: unknown): AppError {
  return new AppError('CLIENT_ASSERTION_UNAVAILABLE', message, { cause });
}

/**
 * The claims of a JWT, read without checking its signature (the identity provider checks it), or
 * `null` for anything that is not a JWT.
 */
export function readAssertionClaims(token: string): JWTPayload | null {
  try {
    return decodeJwt(token);
  } catch {
    return null;
  }
}
