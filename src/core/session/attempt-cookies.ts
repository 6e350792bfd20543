import { hash } from 'node:crypto';
import type { SessionSettings } from '../options.js';
import { clearCookie, setCookie } from './session-cookie.js';
import { SealingKeys } from './sealed-value.js';

/** How many sign-ins one browser may have under way at once (one per tab, in practice). */
export const MAX_PENDING_ATTEMPTS = 5;
/**
 * How many of those may have been started by navigations from other sites: each cookie goes with
 * every request to the site, so another site must not be able to grow the Cookie header much.
 */
export const MAX_CROSS_SITE_ATTEMPTS = 2;

/** A sign-in that was started and whose answer from the provider has not arrived yet. */
export interface SignInAttempt {
  readonly nonce: string;
  readonly codeVerifier: string;
  /** A same-origin path to return to once signed in. */
  readonly returnTo: string;
  readonly startedAt: number;
  /** Started by a navigation from another site: such attempts give way first (see below). */
  readonly crossSite: boolean;
  /** The API scopes asked for besides the sign-in's, which the token answer's access token is for. */
  readonly apiScopes?: readonly string[] | undefined;
  /** Set when an API sent the person here (consent, claims): the interaction's key. */
  readonly interaction?: string | undefined;
  /** The trips to the provider for APIs shortly before this one (see `TokenRecord`). */
  readonly earlierInteractions?:
    readonly { readonly key: string; readonly at: number }[] | undefined;
}

/** An attempt found in a request's cookies. */
export interface FoundAttempt {
  readonly cookieName: string;
  readonly attempt: SignInAttempt;
}

/**
 * Keeps each sign-in under way in a cookie of its own, named after its `state` and sealed
 * (AES-256-GCM, bound to that state), instead of in the session store: a visitor who never
 * comes back from the provider costs the server nothing, and one attempt cannot overwrite
 * another. The cookie lives a little longer than the sign-in timeout, so that a late answer is
 * told "too late" rather than "not ours".
 */
export class AttemptCookies {
  readonly #settings: SessionSettings;
  readonly #keys: SealingKeys;
  readonly #prefix: string;

  constructor(settings: SessionSettings) {
    this.#settings = settings;
    this.#keys = new SealingKeys(settings.secrets, 'sign-in attempt');
    this.#prefix = `${settings.cookieName}-signin-`;
  }

  /** The name of the cookie that carries the attempt of `state`. */
  nameFor(state: string): string {
    return this.#prefix + hash('sha256', state, 'base64url').slice(0, 16);
  }

  /** The attempt of `state` in these cookies, or `null`. */
  find(cookies: Readonly<Record<string, string | undefined>>, state: string): FoundAttempt | null {
    const cookieName = this.nameFor(state);
    const value = cookies[cookieName];
    if (value === undefined) return null;
    const attempt = this.#open(value, state);
    return attempt === null ? null : { cookieName, attempt };
  }

  /**
   * The `Set-Cookie` values that start an attempt: its own cookie, and the removal of those that
   * must give way when the browser already has {@link MAX_PENDING_ATTEMPTS}. Those started from
   * another site give way first, then the oldest: so another site's navigations cannot push out
   * a sign-in the person started here.
   */
  start(
    cookies: Readonly<Record<string, string | undefined>>,
    state: string,
    attempt: SignInAttempt,
  ): string[] {
    const existing = Object.entries(cookies)
      .filter(([name]) => name.startsWith(this.#prefix))
      .map(([name, value]) => ({ name, meta: this.#peek(value ?? '') }))
      // Those that give way first come first: from other sites, then the oldest.
      .sort(
        (a, b) =>
          Number(b.meta.crossSite) - Number(a.meta.crossSite) ||
          a.meta.startedAt - b.meta.startedAt,
      );
    const crossSite = existing.filter((entry) => entry.meta.crossSite);
    const crossSiteOverflow = attempt.crossSite
      ? crossSite.length + 1 - MAX_CROSS_SITE_ATTEMPTS
      : 0;
    const overflow = Math.max(existing.length + 1 - MAX_PENDING_ATTEMPTS, crossSiteOverflow, 0);
    const evicted = existing.slice(0, overflow);
    const lifetime = Math.ceil(this.#settings.signInTimeoutMs / 1000) + 300;
    return [
      ...evicted.map((entry) => clearCookie(this.#settings, entry.name)),
      setCookie(
        this.#settings,
        this.nameFor(state),
        this.#keys.seal(JSON.stringify(attempt), state) + '.' + peekTag(attempt),
        lifetime,
      ),
    ];
  }

  /** The `Set-Cookie` value that removes an attempt's cookie (it is good for one answer). */
  spend(cookieName: string): string {
    return clearCookie(this.#settings, cookieName);
  }

  #open(value: string, state: string): SignInAttempt | null {
    const sealed = value.slice(0, value.lastIndexOf('.'));
    const text = this.#keys.open(sealed, state);
    if (text === null) return null;
    try {
      return JSON.parse(text) as SignInAttempt;
    } catch {
      return null;
    }
  }

  // Which attempt to evict is decided without the state (the cookie name is only its hash), so
  // the order of eviction travels in clear after the sealed part: a forged tag can only make
  // the forger's own cookies go first.
  #peek(value: string): { startedAt: number; crossSite: boolean } {
    const tag = value.slice(value.lastIndexOf('.') + 1);
    const match = /^(\d{1,15})(x?)$/.exec(tag);
    return match
      ? { startedAt: Number(match[1]), crossSite: match[2] === 'x' }
      : { startedAt: 0, crossSite: true };
  }
}

function peekTag(attempt: SignInAttempt): string {
  return `${attempt.startedAt}${attempt.crossSite ? 'x' : ''}`;
}
