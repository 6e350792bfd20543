import { describe, expect, it } from 'vitest';
import { AuditBuffer } from '../../src/app/audit-buffer.js';
import type { SignInEvent } from '../../src/core/events.js';

function failedSignIn(at: number): SignInEvent {
  return {
    type: 'sign-in-failed',
    code: 'AUTH_CANCELLED',
    providerCode: undefined,
    at,
    requestId: `request-${at}`,
    address: null,
    userAgent: null,
  };
}

describe('the audit buffer', () => {
  it('gives the latest events, newest first', () => {
    const buffer = new AuditBuffer(5);
    for (const at of [1, 2, 3]) buffer.record(failedSignIn(at));
    expect(buffer.latest().map((e) => e.at)).toEqual([3, 2, 1]);
    expect(buffer.latest(2).map((e) => e.at)).toEqual([3, 2]);
  });

  it('keeps only as many as it holds, dropping the oldest', () => {
    const buffer = new AuditBuffer(3);
    for (let at = 1; at <= 10; at += 1) buffer.record(failedSignIn(at));
    expect(buffer.latest(50).map((e) => e.at)).toEqual([10, 9, 8]);
  });

  it("keeps a signed-out visitor's 401s out, so they cannot push the real events off", () => {
    const buffer = new AuditBuffer(3);
    buffer.record(failedSignIn(1));
    const context = { requestId: 'r', address: null, userAgent: null };
    const denied = { type: 'access-denied', path: '/admin', session: null, missing: null } as const;
    for (let at = 2; at < 100; at += 1) {
      buffer.record({ ...denied, ...context, at, status: 401, person: null });
    }
    const bob = { key: 'k', name: 'Bob', username: undefined, oid: undefined, tid: undefined };
    buffer.record({ ...denied, ...context, at: 100, status: 403, person: bob, missing: 'role' });
    expect(buffer.latest().map((e) => e.at)).toEqual([100, 1]);
  });

  it('starts empty', () => {
    expect(new AuditBuffer().latest()).toEqual([]);
  });

  it('refuses a size of no events', () => {
    expect(() => new AuditBuffer(0)).toThrow(RangeError);
  });
});
