import { describe, expect, it } from 'vitest';
import { parseGraphError, retryDelaySeconds } from '../../src/cli/registration/graph-client.js';

describe('retryDelaySeconds', () => {
  it('waits the seconds Retry-After gives, rounding fractions up', () => {
    expect(retryDelaySeconds('10', 1)).toBe(10);
    expect(retryDelaySeconds('2.128', 1)).toBe(3);
  });

  it('understands Retry-After as an HTTP date', () => {
    const now = Date.parse('2025-01-02T03:04:05Z');
    expect(retryDelaySeconds('Thu, 02 Jan 2025 03:04:35 GMT', 1, now)).toBe(30);
  });

  it('backs off exponentially without Retry-After, and never waits more than two minutes', () => {
    expect(retryDelaySeconds(null, 1)).toBe(2);
    expect(retryDelaySeconds(null, 3)).toBe(8);
    expect(retryDelaySeconds('86400', 1)).toBe(120);
  });
});

describe('parseGraphError', () => {
  it('reads the code and message of Graph’s error body', () => {
    const body = JSON.stringify({
      error: {
        code: 'Authorization_RequestDenied',
        message: 'Insufficient privileges to complete the operation.',
        innerError: { date: '2025-01-02T03:04:05', 'request-id': 'r', 'client-request-id': 'c' },
      },
    });
    expect(parseGraphError(body)).toEqual({
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    });
  });

  it('returns nothing for a body that is not Graph’s', () => {
    expect(parseGraphError('<html>Bad gateway</html>')).toEqual({});
  });
});
