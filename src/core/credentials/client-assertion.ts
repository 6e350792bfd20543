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

// The system codes people meet here, in words; the code follows them, for searching.
const CODE_WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'unknown host',
  UND_ERR_SOCKET: 'connection closed without an answer',
};

/** Why a read or a request failed, in words fit for a log line: a system code, or a timeout. */
export function describeFailure(error: unknown): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return 'no answer within PROVIDER_TIMEOUT';
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    return Object.hasOwn(CODE_WORDS, code) ? `${CODE_WORDS[code] ?? ''}, ${code}` : code;
  }
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause !== undefined && cause !== error) return describeFailure(cause);
  return error instanceof Error ? error.message : 'unknown error';
}
