import { describe, expect, it } from 'vitest';
import { auditTrail } from '../../src/core/audit.js';
import type { SignInEvent } from '../../src/core/events.js';
import type { AuthRequest } from '../../src/core/http/auth-request.js';
import type { Logger } from '../../src/core/logger.js';

function recordingLogger(): Logger & { lines: [string, string, Record<string, unknown>][] } {
  const lines: [string, string, Record<string, unknown>][] = [];
  return {
    lines,
    info: (fields, message) => lines.push(['info', message, fields]),
    warn: (fields, message) => lines.push(['warn', message, fields]),
    error: (fields, message) => lines.push(['error', message, fields]),
  };
}

const request: AuthRequest = {
  method: 'POST',
  path: '/auth/sign_out',
  query: '',
  header: (name) => ({ 'user-agent': 'Firefox/133.0', cookie: 'entra-signin=secret' })[name],
  readForm: () => Promise.resolve(new URLSearchParams()),
  id: 'request-1',
  address: '203.0.113.7',
};

const person = { key: 'entra:t:o', name: 'Alice', username: 'alice@x', oid: 'o', tid: 't' };

describe('the audit trail', () => {
  it('logs one line per event and hands the same event, with its context, to onEvent', () => {
    const logger = recordingLogger();
    const seen: SignInEvent[] = [];
    const audit = auditTrail(
      () => logger,
      () => 1_000,
      (event) => seen.push(event),
    );
    audit(request, { type: 'signed-out', person, session: 'handle-1' });
    const expected = {
      type: 'signed-out',
      person,
      session: 'handle-1',
      at: 1_000,
      requestId: 'request-1',
      address: '203.0.113.7',
      userAgent: 'Firefox/133.0',
    };
    expect(seen).toEqual([expected]);
    expect(logger.lines).toEqual([['info', 'audit', { audit: expected }]]);
    // The request's cookie is nowhere in what was reported.
    expect(JSON.stringify([seen, logger.lines])).not.toContain('secret');
  });

  it('reports an event of no request (a refresh in the background) with empty context', () => {
    const seen: SignInEvent[] = [];
    const audit = auditTrail(
      () => recordingLogger(),
      () => 5,
      (event) => seen.push(event),
    );
    audit(null, {
      type: 'sessions-ended',
      endedBy: 'refresh',
      count: 1,
      person,
      sessions: ['h'],
      actor: null,
    });
    expect(seen[0]).toMatchObject({ requestId: '', address: null, userAgent: null, at: 5 });
  });

  it('logs a callback that throws, and does not throw itself', () => {
    const logger = recordingLogger();
    const audit = auditTrail(
      () => logger,
      () => 0,
      () => {
        throw new Error('metrics down');
      },
    );
    expect(() => audit(request, { type: 'signed-in', person, session: 'h' })).not.toThrow();
    expect(logger.lines.map(([level, message]) => `${level} ${message}`)).toEqual([
      'info audit',
      'error an onEvent callback threw',
    ]);
  });
});
