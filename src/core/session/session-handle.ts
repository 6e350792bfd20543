import { createHmac, hkdfSync } from 'node:crypto';

/**
 * Names sessions on pages, in forms and in audit events by a handle that is neither the id the
 * cookie carries nor the key the store uses: an HMAC of the store key. A handle found on a page
 * or in a log opens nothing, and one made up matches nothing; a handle only acts on a session
 * that its holder's own listing produces (see `PeopleSessions`).
 */
export class SessionHandles {
  readonly #key: Buffer;

  /** `secret`: the first (current) session secret; rotating it renames every session. */
  constructor(secret: string) {
    this.#key = Buffer.from(hkdfSync('sha256', secret, '', 'entra-signin session handle', 32));
  }

  /** The handle of the session stored under `sessionKey`. */
  of(sessionKey: string): string {
    return createHmac('sha256', this.#key).update(sessionKey).digest('base64url').slice(0, 22);
  }
}
