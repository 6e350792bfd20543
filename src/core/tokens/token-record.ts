import { SealingKeys } from '../session/sealed-value.js';

/** A trip to the provider for an API: what was asked (a key) and when. */
export interface Interacted {
  readonly key: string;
  readonly at: number;
}

/** An access token cached for one set of scopes. */
export interface CachedAccessToken {
  /** The scopes it was asked for, normalised (see {@link scopeKey}). */
  readonly scopes: readonly string[];
  /** The scopes the provider says it grants (its `scope` answer), when it said. */
  readonly granted: readonly string[];
  readonly token: string;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
  /** From when it is refreshed instead of used: five minutes before expiry (see below). */
  readonly refreshAt: number;
}

// A token used until its last second may expire on its way to the API; Microsoft.Identity.Web
// refreshes five minutes ahead too. A token that lives less than ten minutes is used for half.
const REFRESH_AHEAD_MS = 5 * 60 * 1000;

/** When a token that expires at `expiresAt`, got at `now`, is to be refreshed. */
export function refreshTimeOf(now: number, expiresAt: number): number {
  return expiresAt - Math.min(REFRESH_AHEAD_MS, Math.max(0, (expiresAt - now) / 2));
}

/**
 * The API tokens of one session. Sealed as a whole into one string that the store keeps beside
 * the session, never in it: pages that call no API never read, decrypt or parse it.
 */
export interface TokenRecord {
  readonly refreshToken: string | null;
  readonly accessTokens: readonly CachedAccessToken[];
  /**
   * The recent trips to the provider made because an API asked for more (a scope, claims),
   * keyed by what was asked. Another request for the same thing soon after, or a third trip of
   * any kind, is not met by another trip but by an error page: that is what keeps a stubborn
   * API (or two APIs that each want something the other's token lacks) from looping.
   */
  readonly interactions: readonly Interacted[];
  /**
   * The person's groups as Graph listed them, when the ID token carried the groups overage
   * marker instead: resolved once per sign-in (a new sign-in has a new record).
   */
  readonly groups?: readonly string[] | undefined;
}

// Enough for the few APIs one app calls; past it, the token used least recently goes.
const MAX_CACHED_TOKENS = 8;

/** Scopes as a set: trimmed, without duplicates, in a stable order. */
export function normaliseScopes(scopes: Iterable<string>): string[] {
  return [...new Set([...scopes].map((s) => s.trim()).filter((s) => s !== ''))].sort();
}

/** The one string a set of scopes is compared by. */
export function scopeKey(scopes: readonly string[]): string {
  return normaliseScopes(scopes).join(' ');
}

/**
 * The cached token for `scopes` that is not due for refresh at `now`: one asked for those
 * scopes, or one whose granted scopes include them all.
 */
export function findAccessToken(
  record: TokenRecord,
  scopes: readonly string[],
  now: number,
): CachedAccessToken | null {
  return findIn(
    record.accessTokens.filter((t) => t.refreshAt > now),
    scopes,
  );
}

/**
 * A cached token for `scopes` that has not expired, though it may be due for refresh: what to
 * fall back on while the token endpoint is down.
 */
export function findUnexpiredAccessToken(
  record: TokenRecord,
  scopes: readonly string[],
  now: number,
): CachedAccessToken | null {
  return findIn(
    record.accessTokens.filter((t) => t.expiresAt > now),
    scopes,
  );
}

function findIn(
  live: readonly CachedAccessToken[],
  scopes: readonly string[],
): CachedAccessToken | null {
  const key = scopeKey(scopes);
  return (
    live.find((t) => scopeKey(t.scopes) === key) ??
    live.find((t) => scopes.every((s) => t.granted.includes(s))) ??
    null
  );
}

/** The record without the cached token `token` (one an API refused). */
export function withoutAccessToken(record: TokenRecord, token: string): TokenRecord {
  return { ...record, accessTokens: record.accessTokens.filter((t) => t.token !== token) };
}

/** The record with `token` cached (replacing the one of the same scopes) first. */
export function withAccessToken(record: TokenRecord, token: CachedAccessToken): TokenRecord {
  const key = scopeKey(token.scopes);
  const others = record.accessTokens.filter((t) => scopeKey(t.scopes) !== key);
  return { ...record, accessTokens: [token, ...others].slice(0, MAX_CACHED_TOKENS) };
}

/**
 * Seals records at rest (AES-256-GCM, keys derived with HKDF from the token encryption keys),
 * bound to the session's store key: a record copied into another session does not open there.
 */
export class TokenSealer {
  readonly #keys: SealingKeys;

  constructor(secrets: readonly string[]) {
    this.#keys = new SealingKeys(secrets, 'api tokens');
  }

  seal(record: TokenRecord, sessionKey: string): string {
    return this.#keys.seal(JSON.stringify(record), `tokens:${sessionKey}`);
  }

  /** The record, or `null` when no key opens it (rotated away, tampered with, another session's). */
  open(sealed: string, sessionKey: string): TokenRecord | null {
    const json = this.#keys.open(sealed, `tokens:${sessionKey}`);
    if (json === null) return null;
    try {
      return toRecord(JSON.parse(json));
    } catch {
      return null;
    }
  }
}

function toRecord(value: unknown): TokenRecord | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Partial<TokenRecord>;
  if (!Array.isArray(v.accessTokens)) return null;
  return {
    refreshToken: typeof v.refreshToken === 'string' ? v.refreshToken : null,
    accessTokens: v.accessTokens,
    interactions: Array.isArray(v.interactions) ? v.interactions : [],
    ...(Array.isArray(v.groups) ? { groups: v.groups.filter((g) => typeof g === 'string') } : {}),
  };
}
