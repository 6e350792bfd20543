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
  /** Replace the whole token endpoint answer (`null`: answer honestly). */
  tokenEndpoint: () => BentTokenAnswer;
  idTokenClaims: (claims: JWTPayload) => JWTPayload;
  idTokenSigning: SignedJwt;
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
  };
}
