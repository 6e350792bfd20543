import type { SignInEvent } from '../core/events.js';

/** How many events the admin page can look back on, unless told otherwise. */
export const AUDIT_BUFFER_SIZE = 200;

/**
 * The latest audit events, for the admin page: a bounded ring fed by the library's `onEvent`,
 * so memory stays flat however busy the app is.
 *
 * It is per process: two instances of the app behind a load balancer each keep their own, and a
 * restart forgets them. The durable trail is the log line the library writes for every event
 * (`msg: 'audit'`, with the request id), which is what to keep and search.
 */
export class AuditBuffer {
  readonly #events: (SignInEvent | undefined)[];
  // Where the next event goes; once full, the oldest one is there.
  #next = 0;
  #count = 0;

  constructor(capacity = AUDIT_BUFFER_SIZE) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError('An audit buffer holds at least one event');
    }
    this.#events = new Array<SignInEvent | undefined>(capacity).fill(undefined);
  }

  /**
   * Keeps an event, dropping the oldest one when full (pass it as the library's `onEvent`). A
   * signed-out visitor's 401 is logged but not kept here: anyone can make those by the thousand,
   * and they would push the sign-ins and administrators' actions off the admin page.
   */
  record(event: SignInEvent): void {
    if (event.type === 'access-denied' && event.person === null) return;
    this.#events[this.#next] = event;
    this.#next = (this.#next + 1) % this.#events.length;
    this.#count = Math.min(this.#count + 1, this.#events.length);
  }

  /** The latest `limit` events, newest first. */
  latest(limit = 50): SignInEvent[] {
    const size = this.#events.length;
    const taken: SignInEvent[] = [];
    for (let i = 1; i <= Math.min(limit, this.#count); i += 1) {
      const event = this.#events[(this.#next - i + size) % size];
      if (event !== undefined) taken.push(event);
    }
    return taken;
  }
}
