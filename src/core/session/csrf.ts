import CsrfTokens from '@fastify/csrf';
import type { SessionData } from './session-store.js';

const tokens = CsrfTokens();

/**
 * A CSRF token for a session's forms (synchronizer token pattern, the secret kept server-side in
 * the session). SameSite=Lax already stops most cross-site POSTs; this covers the rest.
 */
export function createCsrfToken(data: SessionData): string {
  return tokens.create(data.csrfSecret);
}

/** Whether a submitted token belongs to this session. */
export function verifyCsrfToken(data: SessionData, token: unknown): boolean {
  return typeof token === 'string' && token !== '' && tokens.verify(data.csrfSecret, token);
}
