import type { EventContext, EventPerson, SignInEvent } from './events.js';
import type { AuthRequest } from './http/auth-request.js';
import type { Logger } from './logger.js';
import { deviceOf } from './session/device.js';
import type { SignedInUser } from './session/session-store.js';
import { personOf } from './signed-in-person.js';

/** An event as a route reports it; the audit trail adds when, which request, and from where. */
export type AuditEntry = SignInEvent extends infer E
  ? E extends SignInEvent
    ? Omit<E, keyof EventContext>
    : never
  : never;

/** Reports an event of `request` (or of no request: a refresh in the background). */
export type Audit = (request: AuthRequest | null, entry: AuditEntry) => void;

/** The event's view of a person: keys and names, never their claims or tokens. */
export function eventPersonOf(user: SignedInUser): EventPerson {
  const { key, name, username, oid, tid } = personOf(user);
  return { key, name, username, oid, tid };
}

/**
 * The audit trail: every event is one log line (`msg: 'audit'`, at info) on the request's
 * logger, so that its request id ties it to the request's other lines, and goes to the host's
 * `onEvent`. A callback that throws is logged and does not fail the request.
 */
export function auditTrail(
  loggerOf: (request: AuthRequest | null) => Logger,
  now: () => number,
  onEvent: ((event: SignInEvent) => void) | undefined,
): Audit {
  return (request, entry) => {
    const { userAgent, address } =
      request === null ? { userAgent: null, address: null } : deviceOf(request);
    const event = {
      ...entry,
      at: now(),
      requestId: request?.id ?? '',
      address,
      userAgent,
    } as SignInEvent;
    const log = loggerOf(request);
    log.info({ audit: event }, 'audit');
    try {
      onEvent?.(event);
    } catch (error) {
      log.error({ err: error }, 'an onEvent callback threw');
    }
  };
}
