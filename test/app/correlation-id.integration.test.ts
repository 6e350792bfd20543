/**
 * The correlation id an error page shows is the request id of every log line of that request:
 * the request line and the audit line. Checked on the JSON log lines the real app writes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, startTestApp, type TestApp } from '../support/test-app.js';

interface LogLine {
  msg?: string;
  reqId?: string;
  audit?: { type: string; requestId: string };
  req?: { url: string };
}

function logLines(t: TestApp): LogLine[] {
  return t.logs.flatMap((chunk) =>
    chunk
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as LogLine),
  );
}

describe('the correlation id', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it("of a failed sign-in's error page is the request id of its request line and audit line", async () => {
    const response = await fetch(`${t.baseUrl}/auth/redirect?code=c&state=s`, {
      headers: { accept: 'application/json' },
    });
    const body = (await response.json()) as { error: string; correlationId: string };
    expect(body.error).toBe('AUTH_ATTEMPT_NOT_FOUND');
    expect(body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    const lines = logLines(t).filter((line) => line.reqId === body.correlationId);
    const audit = lines.find((line) => line.msg === 'audit');
    expect(audit?.audit).toMatchObject({ type: 'sign-in-failed', requestId: body.correlationId });
    const completed = lines.find((line) => line.msg === 'request completed');
    expect(completed?.req?.url).toBe('/auth/redirect?code=[redacted]&state=[redacted]');
  });

  it('shown on an HTML error page is the same id the log has', async () => {
    const page = await t.userAgent().get(`${t.baseUrl}/auth/redirect?code=c&state=s`);
    const shown = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(
      page.body,
    )?.[0];
    expect(shown).toBeDefined();
    const lines = logLines(t).filter((line) => line.reqId === shown);
    expect(lines.map((line) => line.msg)).toEqual(
      expect.arrayContaining(['audit', 'request completed']),
    );
  });

  it("of a sign-in is the request id of the redirect URI's request line", async () => {
    await signIn(t, t.userAgent());
    const audit = logLines(t).find(
      (line) => line.msg === 'audit' && line.audit?.type === 'signed-in',
    );
    expect(audit?.reqId).toBe(audit?.audit?.requestId);
    const completed = logLines(t).find(
      (line) => line.msg === 'request completed' && line.reqId === audit?.reqId,
    );
    expect(completed?.req?.url).toMatch(/^\/auth\/redirect\?/);
  });
});
