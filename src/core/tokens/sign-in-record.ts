import { recentInteractions } from './interactions.js';
import {
  normaliseScopes,
  refreshTimeOf,
  withAccessToken,
  type Interacted,
  type TokenRecord,
} from './token-record.js';

const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

/** What the token response of a sign-in carried. */
export interface SignInTokens {
  readonly accessToken: string | undefined;
  readonly refreshToken: string | undefined;
  readonly expiresIn: number | undefined;
  readonly scope: string | undefined;
}

/** What the sign-in asked for: its API scopes, and the trip to the provider it was, if one. */
export interface SignInAsked {
  readonly scopes: readonly string[];
  readonly interactionKey: string | undefined;
  readonly earlierInteractions: readonly Interacted[];
}

/** The record for a session that has just signed in; `null` when there is nothing to keep. */
export function signInRecord(
  tokens: SignInTokens,
  asked: SignInAsked,
  now: number,
): TokenRecord | null {
  if (tokens.accessToken === undefined && tokens.refreshToken === undefined) return null;
  let record: TokenRecord = {
    refreshToken: tokens.refreshToken ?? null,
    accessTokens: [],
    interactions:
      asked.interactionKey === undefined
        ? []
        : [
            ...recentInteractions(asked.earlierInteractions, now),
            { key: asked.interactionKey, at: now },
          ],
  };
  const apiScopes = normaliseScopes(asked.scopes.filter((s) => !OIDC_SCOPES.has(s)));
  if (tokens.accessToken !== undefined && apiScopes.length > 0) {
    const expiresAt = now + (tokens.expiresIn ?? 3600) * 1000;
    record = withAccessToken(record, {
      scopes: apiScopes,
      granted: grantedOf(tokens.scope),
      token: tokens.accessToken,
      expiresAt,
      refreshAt: refreshTimeOf(now, expiresAt),
    });
  }
  return record;
}

function grantedOf(scope: string | undefined): string[] {
  return normaliseScopes((scope ?? '').split(' ').filter((s) => !OIDC_SCOPES.has(s)));
}
