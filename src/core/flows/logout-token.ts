import { jwtVerify, type JWTPayload } from 'jose';
import { AppError } from '../errors.js';
import { checkTenantIssuer } from '../entra/entra-tenant.js';
import { userKeysOf } from '../signed-in-user.js';
import type { ProviderConnection } from '../provider/provider-connection.js';
import { translateLogoutTokenError } from '../provider/translate-provider-error.js';

/** The event a logout token must carry. */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** How old a logout token may be: older ones are refused, so replays need remembering this long. */
export const LOGOUT_TOKEN_MAX_AGE_SECONDS = 5 * 60;

/** What a valid logout token asks: end the sessions of `sid`, else every session of `sub`. */
export interface LogoutRequest {
  readonly iss: string;
  readonly sid: string | undefined;
  readonly sub: string | undefined;
  readonly jti: string;
  /** The user key for `sub` (see `describeUser`), when there is a `sub`. */
  readonly userKeys: readonly string[];
  /** When a replay of this token stops mattering (ms since the epoch). */
  readonly rememberUntil: number;
}

/**
 * Validates a back-channel logout token: signature against the provider's published keys (the
 * algorithms its metadata lists, RS256 by default), `typ` `logout+jwt`, `iss`, `aud` containing
 * our client id, `iat` present, not in the future and not older than five minutes, a `jti`, the
 * back-channel `events` member, no `nonce`, and a `sid` or a `sub`. Replay (`jti`) is the
 * caller's to check.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#Validation
 */
export async function validateLogoutToken(
  provider: ProviderConnection,
  token: string,
  nowMs: number,
): Promise<LogoutRequest> {
  const configuration = await provider.configuration();
  const metadata = configuration.serverMetadata();
  const { clientId, clockToleranceSeconds, multiTenant } = provider.settings;
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, await provider.logoutTokenKeys(), {
      audience: clientId,
      typ: 'logout+jwt',
      algorithms: metadata.id_token_signing_alg_values_supported ?? ['RS256'],
      // jose's own `iat` age check is ours below; `exp` is optional in logout tokens.
      currentDate: new Date(nowMs),
      clockTolerance: clockToleranceSeconds,
    }));
  } catch (error) {
    throw translateLogoutTokenError(error);
  }
  if (multiTenant !== null) checkTenantIssuer(payload, multiTenant);
  else if (payload.iss !== metadata.issuer) invalid('its issuer is not the provider');
  checkClaims(payload, nowMs / 1000, clockToleranceSeconds);
  const sid = nonEmptyString(payload['sid']);
  const sub = nonEmptyString(payload.sub);
  const iss = payload.iss ?? '';
  return {
    iss,
    sid,
    sub,
    jti: payload.jti ?? '',
    // Sessions are keyed `oidc:{iss}:{sub}`, or `entra:{tid}:{oid}` when the ID token had Entra's
    // ids; a logout token that carries `tid` and `oid` names that one too. (Entra itself sends
    // no logout tokens: it uses front-channel logout, by `sid`.)
    userKeys: sub === undefined ? [] : userKeysOf({ ...payload, iss }),
    rememberUntil:
      ((payload.iat ?? 0) + LOGOUT_TOKEN_MAX_AGE_SECONDS + clockToleranceSeconds) * 1000,
  };
}

function checkClaims(payload: JWTPayload, now: number, tolerance: number): void {
  const { iat, jti } = payload;
  if (typeof iat !== 'number') invalid('it has no iat');
  if (iat > now + tolerance) invalid('it was issued in the future');
  if (iat < now - tolerance - LOGOUT_TOKEN_MAX_AGE_SECONDS) invalid('it is too old');
  if (nonEmptyString(jti) === undefined) invalid('it has no jti');
  const events = payload['events'];
  const event: unknown =
    typeof events === 'object' && events !== null && !Array.isArray(events)
      ? (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT]
      : undefined;
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    invalid('it has no back-channel logout event');
  }
  // A nonce would make it confusable with an ID token (§2.4).
  if ('nonce' in payload) invalid('it has a nonce');
  if (nonEmptyString(payload['sid']) === undefined && nonEmptyString(payload.sub) === undefined) {
    invalid('it has neither sid nor sub');
  }
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function invalid(why: string): never {
  throw new AppError('LOGOUT_TOKEN_INVALID', `The logout token is refused: ${why}`);
}
