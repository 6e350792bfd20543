/**
 * A small least-recently-used cache: at most `capacity` entries, the least recently used one
 * dropped first. For values that are cheap to keep and costly to make again.
 */
export class BoundedCache<V> {
  readonly #entries = new Map<string, V>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** The value under `key`, made by `make` when there is none. */
  getOrCreate(key: string, make: () => V): V {
    const found = this.#entries.get(key);
    if (found !== undefined) {
      // Re-insert so that Map's insertion order is the order of use.
      this.#entries.delete(key);
      this.#entries.set(key, found);
      return found;
    }
    const value = make();
    this.#entries.set(key, value);
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    return value;
  }
}
