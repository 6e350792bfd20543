import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { validateLogoutToken } from '../../core/flows/logout-token.js';
import { SeenTokenIds } from '../../core/flows/seen-token-ids.js';
import { AppError, isAppError } from '../../core/errors.js';
import { allowFramingBy } from '../security-headers.js';
import type { AppServices } from '../services.js';
import { queryOf } from '../query-string.js';

// What the provider's iframe shows: nothing personal, so nothing to escape.
const FRONT_CHANNEL_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head><body><p>Signed out of entra-signin.</p></body></html>';

const MAX_SID_LENGTH = 512;

/**
 * The logout routes the identity provider calls: front-channel (a GET in an iframe of the
 * provider's sign-out page, what Entra uses) and back-channel (a POST from server to server with
 * a signed logout token). Both end every session signed in through the provider session named.
 *
 * @see https://openid.net/specs/openid-connect-frontchannel-1_0.html
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc#single-sign-out
 */
export function registerLogoutChannelRoutes(app: FastifyInstance, services: AppServices): void {
  const { config, provider, sessions } = services;
  const seen = new SeenTokenIds();

  app.get('/auth/front_channel_logout', async (request, reply) => {
    const params = new URLSearchParams(queryOf(request));
    const sid = params.get('sid');
    const iss = params.get('iss');
    if ([...new Set(params.keys())].some((name) => params.getAll(name).length > 1)) {
      throw new AppError('LOGOUT_REQUEST_INVALID', 'A parameter is repeated');
    }
    if (sid === null || sid === '' || sid.length > MAX_SID_LENGTH) {
      throw new AppError('LOGOUT_REQUEST_INVALID', 'The request has no usable sid');
    }
    if (iss !== null && !(await provider.acceptsIssuer(iss))) {
      throw new AppError('LOGOUT_REQUEST_INVALID', 'The request names another issuer');
    }
    // The iframe is cross-site, so this browser's cookie rarely comes along; when it does and
    // names one of the sessions ended, the cookie goes too.
    const current = await sessions.read(request);
    const ended = await sessions.manager.endAllForProviderSession(sid);
    if (current?.data.user?.claims['sid'] === sid) sessions.clear(reply);
    request.log.info({ ended }, 'front-channel logout');
    allowFramingBy(reply, config, new URL(config.oidc.authority).origin);
    return reply
      .header('cache-control', 'no-cache, no-store')
      .header('pragma', 'no-cache')
      .type('text/html; charset=utf-8')
      .send(FRONT_CHANNEL_PAGE);
  });

  app.post<{ Body: { logout_token?: unknown } | undefined }>(
    '/auth/back_channel_logout',
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const token = request.body?.logout_token;
      try {
        if (typeof token !== 'string' || token === '') {
          throw new AppError('LOGOUT_TOKEN_INVALID', 'The request has no logout_token');
        }
        const logout = await validateLogoutToken(provider, token, services.now());
        const tokenId = `${logout.iss} ${logout.jti}`;
        if (!seen.remember(tokenId, logout.rememberUntil, services.now())) {
          throw new AppError('LOGOUT_TOKEN_REPLAYED', 'The logout token was seen before');
        }
        let ended = 0;
        try {
          if (logout.sid !== undefined) {
            ended = await sessions.manager.endAllForProviderSession(logout.sid);
          } else {
            for (const key of logout.userKeys) ended += await sessions.manager.endAllFor(key);
          }
        } catch (error) {
          // The sessions did not end: the provider's retry of this same token must be accepted.
          seen.forget(tokenId);
          throw error;
        }
        request.log.info({ ended }, 'back-channel logout');
        return await reply.code(200).send();
      } catch (error) {
        return refuseLogout(request, reply, error);
      }
    },
  );
}

// Back-Channel Logout 1.0 §2.8: a failure is a 400 with an OAuth-style JSON error body; a
// provider or store outage keeps its own status so the provider may retry.
function refuseLogout(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  if (!isAppError(error)) throw error;
  if (error.status >= 500) throw error;
  request.log.info({ code: error.code }, error.message);
  return reply.code(400).send({
    error: 'invalid_request',
    error_description: error.title,
    code: error.code,
  });
}
