import type { FastifyInstance } from 'fastify';
import {
  buildAuthorizationRequest,
  completeSignIn,
  matchAnswer,
  rememberAttempt,
} from '../../core/flows/sign-in.js';
import { AppError } from '../../core/errors.js';
import { SessionManager } from '../../core/session/session-manager.js';
import type { AppServices } from '../services.js';
import { queryOf } from '../query-string.js';
import { registerSignOutRoutes } from './sign-out.js';

/**
 * The sign-in routes, and through {@link registerSignOutRoutes} the sign-out ones (paths kept from
 * the seed, so registrations carry over).
 */
export function registerAuthRoutes(app: FastifyInstance, services: AppServices): void {
  const { config, provider, sessions } = services;

  app.get<{ Querystring: { post_sign_in_url?: unknown } }>(
    '/auth/sign_in',
    async (request, reply) => {
      const session = await sessions.read(request);
      const { url, attempt } = await buildAuthorizationRequest(provider, {
        redirectUri: config.redirectUri,
        returnTo: request.query.post_sign_in_url,
        now: services.now(),
      });
      if (session) {
        await sessions.manager.update(session, {
          ...session.data,
          attempts: rememberAttempt(session.data.attempts, attempt),
        });
      } else {
        const started = await sessions.manager.start({
          ...SessionManager.emptyData(),
          attempts: [attempt],
        });
        sessions.write(reply, started);
      }
      return reply.header('cache-control', 'no-store').redirect(url.href, 302);
    },
  );

  app.get('/auth/redirect', async (request, reply) => {
    const session = await sessions.read(request);
    if (!session) {
      // With a cookie that no longer names a session, the likeliest story is a sign-in page left
      // open past SIGN_IN_TIMEOUT; with none at all, the answer was not started in this browser
      // (or the cookie was lost, as behind a proxy that changes the scheme or host).
      throw new AppError(
        sessions.hasCookie(request) ? 'AUTH_ATTEMPT_EXPIRED' : 'AUTH_ATTEMPT_NOT_FOUND',
        'No session carries a sign-in attempt',
      );
    }
    let answer;
    try {
      answer = matchAnswer(queryOf(request), session.data.attempts, {
        now: services.now(),
        signInTimeoutMs: config.session.signInTimeoutMs,
      });
    } catch (error) {
      // A replayed answer to a sign-in that already succeeded: nothing to do, no new session.
      if (
        error instanceof AppError &&
        error.code === 'AUTH_ATTEMPT_NOT_FOUND' &&
        session.data.user
      ) {
        return reply.redirect('/', 303);
      }
      throw error;
    }
    const remaining = { ...session.data, attempts: answer.otherAttempts };
    let outcome;
    try {
      outcome = await completeSignIn(provider, answer, {
        redirectUri: config.redirectUri,
        now: services.now(),
      });
    } catch (error) {
      // An attempt is good for one answer: a failed one is spent.
      await sessions.manager.update(session, remaining);
      throw error;
    }
    if (outcome.outcome === 'cancelled') {
      await sessions.manager.update(session, remaining);
      throw new AppError('AUTH_CANCELLED', 'The person declined the sign-in', {
        providerCode: outcome.providerCode,
        providerDescription: outcome.providerDescription,
      });
    }
    // A new id for the signed-in session: whatever id existed before is worthless now.
    const signedIn = await sessions.manager.start(
      { ...SessionManager.emptyData(), user: outcome.user, attempts: answer.otherAttempts },
      session,
    );
    request.log.info('signed in');
    sessions.write(reply, signedIn);
    return reply.redirect(outcome.returnTo, 303);
  });

  registerSignOutRoutes(app, services);
}
