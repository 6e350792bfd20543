import { AppError, isAppError } from '../errors.js';
import { measureTokenRefresh, type SignInMetrics } from '../metrics.js';
import type { ApiSettings } from '../options.js';
import type { ProviderConnection } from '../provider/provider-connection.js';
import type { ActiveSession, SessionManager } from '../session/session-manager.js';
import { sessionKeyFor } from '../session/session-id.js';
import { claimsParameter } from './claims-challenge.js';
import { interactionError, type Interaction } from './interactions.js';
import { signInRecord, type SignInAsked, type SignInTokens } from './sign-in-record.js';
import { redeemRefreshToken } from './refresh-grant.js';
import {
  findAccessToken,
  findUnexpiredAccessToken,
  normaliseScopes,
  refreshTimeOf,
  scopeKey,
  TokenSealer,
  withAccessToken,
  type TokenRecord,
} from './token-record.js';

/** An access token for an API, as handed to the host app. */
export interface AccessToken {
  readonly token: string;
  readonly scopes: readonly string[];
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
}

// How long one instance may hold a session's refresh: a rediscovery, the grant and a fetch of
// the provider's keys may each take the provider timeout. A refresh that runs past it writes
// nothing (another instance may hold the lock by then).
const LOCK_MARGIN_MS = 5_000;
const POLL_MS = 50;

interface Dependencies {
  readonly settings: ApiSettings;
  readonly provider: ProviderConnection;
  readonly sessions: SessionManager;
  readonly now: () => number;
  readonly onSessionEnded: (session: ActiveSession) => void;
  readonly metrics?: SignInMetrics | undefined;
}

export type { Interaction } from './interactions.js';
export type { SignInAsked, SignInTokens } from './sign-in-record.js';

/**
 * The session's access tokens for APIs: cached per set of scopes until shortly before expiry,
 * refreshed with the session's refresh token, sealed at rest beside the session (see
 * {@link TokenRecord}). A refresh happens once per session however many requests want it: in
 * this process, concurrent callers share one promise; across instances that share the store, a
 * short lock in the store (its one-time values) lets one refresh while the others wait and read
 * what it wrote. A lock, not a tolerance of two refreshes: a provider that rotates refresh
 * tokens (and treats reuse as theft, as OAuth 2.0 Security BCP §4.14 advises) would revoke the
 * whole grant on the second.
 */
export class ApiTokens {
  readonly #deps: Dependencies;
  readonly #sealer: TokenSealer;
  readonly #inFlight = new Map<string, Promise<AccessToken>>();

  constructor(deps: Dependencies) {
    this.#deps = deps;
    this.#sealer = new TokenSealer(deps.settings.tokenKeys);
  }

  /** Whether sessions keep API tokens at all (some API scopes are configured). */
  get enabled(): boolean {
    return this.#deps.settings.scopes.length > 0;
  }

  /** The scopes asked for at sign-in besides the sign-in's own. */
  signInScopes(interaction: Interaction | null): string[] {
    if (!this.enabled && interaction === null) return [];
    return ['offline_access', ...(interaction?.scopes ?? this.#deps.settings.scopes)];
  }

  /** The `claims` authorization parameter for a sign-in (capabilities, a challenge's claims). */
  claimsFor(interaction: Interaction | null): string | undefined {
    if (!this.enabled && interaction === null) return undefined;
    return claimsParameter(interaction?.claims ?? null, this.#deps.settings.clientCapabilities);
  }

  /** The sealed record for a session that has just signed in, or `undefined` to keep none. */
  recordForSignIn(
    sessionKey: string,
    tokens: SignInTokens,
    asked: SignInAsked,
  ): string | undefined {
    const record = signInRecord(tokens, asked, this.#deps.now());
    return record === null ? undefined : this.#sealer.seal(record, sessionKey);
  }

  /**
   * An access token for `scopes` (the configured API scopes by default): cached, or refreshed.
   * Throws `API_INTERACTION_REQUIRED` when the person must visit the provider first (the
   * adapters turn it into that visit), `API_CHALLENGE_UNMET` when they just did and it did not
   * help, `API_SIGN_IN_AGAIN` (tokens dropped), `API_TOKEN_UNAVAILABLE` (session kept).
   */
  async accessToken(
    session: ActiveSession,
    scopes?: readonly string[],
    options: { readonly refused?: string } = {},
  ): Promise<AccessToken> {
    const wanted = normaliseScopes(scopes ?? this.#deps.settings.scopes);
    if (wanted.length === 0) {
      throw new AppError(
        'CONFIG_INVALID',
        'No API scopes: set api.scopes (API_SCOPES) or pass some',
      );
    }
    const key = `${session.id}|${scopeKey(wanted)}|${options.refused ?? ''}`;
    let pending = this.#inFlight.get(key);
    if (pending === undefined) {
      pending = this.#acquire(session, wanted, options.refused).finally(() =>
        this.#inFlight.delete(key),
      );
      this.#inFlight.set(key, pending);
    }
    return pending;
  }

  /**
   * Called when an API refused a token with a claims challenge (or asked for scopes the token
   * lacks): throws `API_INTERACTION_REQUIRED` for a first trip to the provider, or
   * `API_CHALLENGE_UNMET` when the last trip asked the same and the API still refuses.
   */
  async requireInteraction(session: ActiveSession, interaction: Interaction): Promise<never> {
    const record = await this.#read(session);
    throw interactionError(this.#deps.now(), record, interaction);
  }

  /**
   * The groups Graph lists for the person (the groups overage), from the session's record, or
   * from `resolve` once and then kept in it. The record is written under the refresh lock, so it
   * never overwrites a refresh token rotated meanwhile; without the lock it is simply not kept.
   */
  async cachedGroups(
    session: ActiveSession,
    resolve: () => Promise<readonly string[]>,
  ): Promise<readonly string[]> {
    const known = (await this.#read(session))?.groups;
    if (known !== undefined) return known;
    const groups = await resolve();
    const holdMs = this.#deps.provider.settings.timeoutSeconds * 1000 + LOCK_MARGIN_MS;
    await this.#whileLocked(session, holdMs, async () => {
      const record = await this.#read(session);
      if (record !== null) await this.#write(session, { ...record, groups: [...groups] });
    });
    return groups;
  }

  async #acquire(
    session: ActiveSession,
    scopes: string[],
    refused: string | undefined,
  ): Promise<AccessToken> {
    const record = await this.#read(session);
    const cached = this.#usable(record, scopes, refused);
    if (cached !== null) return cached;
    if (record?.refreshToken == null) {
      // Signed in before API tokens were kept, or the provider gave no refresh token.
      throw interactionError(this.#deps.now(), record, { scopes, claims: null });
    }
    try {
      return await this.#refreshUnderLock(session, scopes, refused);
    } catch (error) {
      // The token endpoint is down, but the token it was to replace is still good: use it.
      const fallback = findUnexpiredAccessToken(record, scopes, this.#deps.now());
      if (isAppError(error) && error.code === 'API_TOKEN_UNAVAILABLE' && fallback !== null) {
        if (fallback.token !== refused) return toAccessToken(fallback);
      }
      throw error;
    }
  }

  // A cached token not due for refresh, unless it is the one an API just refused.
  #usable(record: TokenRecord | null, scopes: string[], refused: string | undefined) {
    const cached = record === null ? null : findAccessToken(record, scopes, this.#deps.now());
    return cached === null || cached.token === refused ? null : toAccessToken(cached);
  }

  async #refreshUnderLock(
    session: ActiveSession,
    scopes: string[],
    refused: string | undefined,
  ): Promise<AccessToken> {
    const holdMs = 3 * this.#deps.provider.settings.timeoutSeconds * 1000 + LOCK_MARGIN_MS;
    const deadline = Date.now() + holdMs;
    for (;;) {
      const refreshed = await this.#whileLocked(session, holdMs, (heldUntil) =>
        this.#refresh(session, scopes, refused, heldUntil),
      );
      if (refreshed !== null) return refreshed.value;
      // Another request (maybe on another instance) is refreshing: wait for what it writes.
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      const cached = this.#usable(await this.#read(session), scopes, refused);
      if (cached !== null) return cached;
      if (Date.now() > deadline) {
        throw new AppError('API_TOKEN_UNAVAILABLE', 'Another refresh of this session did not end');
      }
    }
  }

  async #refresh(
    session: ActiveSession,
    scopes: string[],
    refused: string | undefined,
    heldUntil: number,
  ): Promise<AccessToken> {
    const { now, provider, settings } = this.#deps;
    // Read again under the lock: the refresh token may have been rotated a moment ago.
    const record = await this.#read(session);
    const cached = this.#usable(record, scopes, refused);
    if (cached !== null) return cached;
    if (record?.refreshToken == null)
      throw interactionError(this.#deps.now(), record, { scopes, claims: null });
    let refreshed;
    try {
      const refreshToken = record.refreshToken;
      refreshed = await measureTokenRefresh(this.#deps.metrics, () =>
        redeemRefreshToken(provider, {
          refreshToken,
          scopes,
          claims: claimsParameter(null, settings.clientCapabilities),
          sessionClaims: session.data.user.claims,
          now: now(),
        }),
      );
    } catch (error) {
      throw await this.#afterFailedRefresh(session, record, scopes, error);
    }
    const updated = withAccessToken(
      { ...record, refreshToken: refreshed.refreshToken ?? record.refreshToken },
      {
        scopes,
        granted: refreshed.granted,
        token: refreshed.accessToken,
        expiresAt: refreshed.expiresAt,
        refreshAt: refreshTimeOf(now(), refreshed.expiresAt),
      },
    );
    if (now() >= heldUntil) {
      // The lock ran out while the provider answered: another request may be refreshing with
      // the same refresh token, and what it writes must not be overwritten by ours.
      throw new AppError('API_TOKEN_UNAVAILABLE', 'The refresh outlasted its lock');
    }
    await this.#write(session, updated);
    return { token: refreshed.accessToken, scopes, expiresAt: refreshed.expiresAt };
  }

  async #afterFailedRefresh(
    session: ActiveSession,
    record: TokenRecord,
    scopes: string[],
    error: unknown,
  ): Promise<unknown> {
    if (!isAppError(error)) return error;
    if (error.code === 'API_INTERACTION_REQUIRED') {
      return interactionError(this.#deps.now(), record, { scopes, claims: null }, error);
    }
    if (error.code !== 'API_SIGN_IN_AGAIN') return error;
    if (error.facts?.['endSession'] !== undefined) {
      // Someone else's ID token in the answer to this session's refresh token: the session
      // is not to be trusted any more, on any instance.
      await this.#deps.sessions.end(session);
      this.#deps.onSessionEnded(session);
    } else {
      // A dead refresh token is of no more use: drop it, so that nothing tries it again.
      await this.#deps.sessions.writeTokens(session, null);
    }
    return error;
  }

  // The session's refresh lock in the store (its one-time values): `work` runs only when this
  // request takes it (`null` when another holds it), and it is released only while still ours:
  // past its time another request may hold it.
  async #whileLocked<T>(
    session: ActiveSession,
    holdMs: number,
    work: (heldUntil: number) => Promise<T>,
  ): Promise<{ value: T } | null> {
    const { sessions, now } = this.#deps;
    const lock = `refresh:${sessionKeyFor(session.id)}`;
    const heldUntil = now() + holdMs;
    if (!(await sessions.markUsed(lock, heldUntil))) return null;
    try {
      return { value: await work(heldUntil) };
    } finally {
      if (now() < heldUntil) await sessions.forgetUsed(lock).catch(() => undefined);
    }
  }

  async #read(session: ActiveSession): Promise<TokenRecord | null> {
    const sealed = await this.#deps.sessions.readTokens(session);
    if (sealed === null) return null;
    const record = this.#sealer.open(sealed, sessionKeyFor(session.id));
    // Sealed under a key this instance lacks: most often instances that do not share
    // TOKEN_ENCRYPTION_KEY (or SESSION_SECRET). Taken for "no tokens", it would send the person to
    // the provider, whose answer the other instance seals again: a loop. "Sign in again" is a
    // button, not a redirect; and after a key was retired, it mends the session.
    if (record === null) {
      throw new AppError(
        'API_SIGN_IN_AGAIN',
        "The session's API tokens are sealed under a key this instance does not have: is TOKEN_ENCRYPTION_KEY (or SESSION_SECRET) the same on every instance?",
      );
    }
    return record;
  }

  async #write(session: ActiveSession, record: TokenRecord): Promise<void> {
    const sealed = this.#sealer.seal(record, sessionKeyFor(session.id));
    if (!(await this.#deps.sessions.writeTokens(session, sealed))) {
      throw new AppError('NOT_SIGNED_IN', 'The session ended while its tokens were refreshed');
    }
  }
}

function toAccessToken(cached: {
  token: string;
  scopes: readonly string[];
  expiresAt: number;
}): AccessToken {
  return { token: cached.token, scopes: cached.scopes, expiresAt: cached.expiresAt };
}
