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

  it('starts empty', () => {
    expect(new AuditBuffer().latest()).toEqual([]);
  });

  it('refuses a size of no events', () => {
    expect(() => new AuditBuffer(0)).toThrow(RangeError);
  });
});
