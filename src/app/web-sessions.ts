import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionSettings } from './config.js';
import type { ActiveSession, SessionManager } from '../core/session/session-manager.js';

/**
 * Carries a session between the cookie and the {@link SessionManager}. The cookie holds only the
 * session id, signed with SESSION_SECRET; everything else stays in the store.
 */
export class WebSessions {
  readonly manager: SessionManager;
  readonly #settings: SessionSettings;
  readonly #loaded = new WeakMap<FastifyRequest, Promise<ActiveSession | null>>();

  constructor(manager: SessionManager, settings: SessionSettings) {
    this.manager = manager;
    this.#settings = settings;
  }

  /** Whether the request carries a session cookie at all (signed or not). */
  hasCookie(request: FastifyRequest): boolean {
    return request.cookies[this.#settings.cookieName] !== undefined;
  }

  /**
   * The request's session, or `null` when its cookie is missing, tampered with, unknown or
   * expired: all of these mean "signed out". Loaded once per request.
   */
  read(request: FastifyRequest): Promise<ActiveSession | null> {
    let loaded = this.#loaded.get(request);
    if (!loaded) {
      loaded = this.#load(request);
      this.#loaded.set(request, loaded);
    }
    return loaded;
  }

  /** Points the browser's cookie at this session. */
  write(reply: FastifyReply, session: ActiveSession): void {
    reply.setCookie(this.#settings.cookieName, session.id, {
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      secure: this.#settings.secureCookie,
      path: '/',
    });
  }

  /** Removes the browser's cookie. */
  clear(reply: FastifyReply): void {
    reply.clearCookie(this.#settings.cookieName, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.#settings.secureCookie,
      path: '/',
    });
  }

  async #load(request: FastifyRequest): Promise<ActiveSession | null> {
    const raw = request.cookies[this.#settings.cookieName];
    if (raw === undefined) return null;
    const unsigned = request.unsignCookie(raw);
    if (!unsigned.valid) return null;
    return this.manager.load(unsigned.value);
  }
}
