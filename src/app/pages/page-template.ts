import { randomBytes } from 'node:crypto';

// Stands in for the CSRF token while a page is rendered for reuse: random per process, so that
// no text of a person's (a claim, a name) can contain it.
const TOKEN_SLOT = `csrf-slot-${randomBytes(16).toString('hex')}`;
// What a token may be to go into the page as it is: the characters of @fastify/csrf's tokens,
// none of which HTML escapes. Any other token is rendered (and so escaped) by Preact.
const PLAIN_TOKEN = /^[\w-]+$/;

/**
 * A page rendered once and sent many times: its bytes, with the one part that differs from one
 * request to the next, the sign-out form's CSRF token (fresh on every page), left open. Sending
 * it costs a copy instead of rendering the page with Preact and encoding it as UTF-8.
 */
export class PageTemplate {
  readonly #render: (csrfToken: string | null) => string;
  readonly #parts: readonly [Buffer, Buffer] | null;
  readonly #whole: Buffer | null;

  /**
   * `render` makes the page with a given CSRF token, or with none (`withToken` false: nobody is
   * signed in, so there is no sign-out form).
   */
  constructor(render: (csrfToken: string | null) => string, withToken: boolean) {
    this.#render = render;
    this.#whole = withToken ? null : Buffer.from(render(null));
    const parts = withToken ? render(TOKEN_SLOT).split(TOKEN_SLOT) : [];
    // The token appears once, in the sign-out form; a page that holds it elsewhere too (or not
    // at all) is rendered on every request instead.
    this.#parts =
      parts.length === 2 ? [Buffer.from(parts[0] ?? ''), Buffer.from(parts[1] ?? '')] : null;
  }

  /** What this template keeps in memory, for a cache bounded by bytes. */
  get bytes(): number {
    return (
      (this.#whole?.length ?? 0) + (this.#parts?.[0].length ?? 0) + (this.#parts?.[1].length ?? 0)
    );
  }

  /** The page's bytes with this request's CSRF token (`null` for a page without a form). */
  fill(csrfToken: string | null): Buffer {
    if (this.#whole !== null && csrfToken === null) return this.#whole;
    if (this.#parts === null || csrfToken === null || !PLAIN_TOKEN.test(csrfToken)) {
      return Buffer.from(this.#render(csrfToken));
    }
    return Buffer.concat([this.#parts[0], Buffer.from(csrfToken, 'latin1'), this.#parts[1]]);
  }
}
