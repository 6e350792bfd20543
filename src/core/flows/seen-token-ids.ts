/**
 * Remembers the ids (`jti`) of tokens already used, each until it would be refused as too old
 * anyway, so that a replayed logout token is told apart from a fresh one. In memory and bounded:
 * past `maxEntries`, the oldest is forgotten first (a Map keeps insertion order).
 *
 * Why memory and not the session store: a logout token only ever ends sessions, so a replay that
 * slips through (after a restart, or on another instance) ends sessions that the first delivery
 * already ended, and tokens older than five minutes are refused whatever this remembers. The
 * store's contract has no place for anything but sessions, and widening it for this would buy
 * little.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#Validation (item 6, jti)
 */
export class SeenTokenIds {
  readonly #expiries = new Map<string, number>();
  readonly #maxEntries: number;

  constructor(options: { maxEntries?: number } = {}) {
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  /** How many ids are remembered now. */
  get size(): number {
    return this.#expiries.size;
  }

  /**
   * Records `id` as used until `until` (ms). Returns `false` when it was already recorded and
   * that record has not expired: the token is a replay.
   */
  remember(id: string, until: number, now: number): boolean {
    const known = this.#expiries.get(id);
    if (known !== undefined && known > now) return false;
    this.#expiries.delete(id);
    this.#expiries.set(id, until);
    this.#forgetOld(now);
    return true;
  }

  /** Forgets `id`, so that a token whose work failed (a store outage) can be sent again. */
  forget(id: string): void {
    this.#expiries.delete(id);
  }

  // Ids arrive in roughly the order they expire, so the sweep stops at the first live one; the
  // size bound holds whatever the order.
  #forgetOld(now: number): void {
    for (const [id, until] of this.#expiries) {
      const overfull = this.#expiries.size > this.#maxEntries;
      if (!overfull && until > now) break;
      this.#expiries.delete(id);
    }
  }
}
