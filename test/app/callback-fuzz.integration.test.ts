import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHostileSetup, type HostileSetup } from '../support/hostile-app.js';

// Printable ASCII only: fetch refuses to send other bytes in a header, so they never reach us.
const headerText = fc
  .array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength: 120 })
  .map((codes) => String.fromCharCode(...codes));

const callbackQuery = fc.oneof(
  // Well-formed parameters with hostile values.
  fc
    .array(
      fc.tuple(
        fc.oneof(
          fc.constantFrom('code', 'state', 'error', 'error_description', 'iss', 'session_state'),
          fc.string({ maxLength: 12 }),
        ),
        fc.string({ maxLength: 200 }),
      ),
      { maxLength: 6 },
    )
    .map((pairs) => new URLSearchParams(pairs).toString()),
  // Raw bytes: broken percent-encoding, stray separators.
  fc
    .array(
      fc.constantFrom('%', '%E0%A4%A', '%ZZ', '&', '=', '?', 'state', 'code', 'a', '+', '%00'),
      {
        maxLength: 20,
      },
    )
    .map((parts) => parts.join('')),
);

describe('random callbacks and cookies (fuzz)', () => {
  let s: HostileSetup;
  let attemptCookie: string;
  beforeAll(async () => {
    s = await startHostileSetup();
    // A real sign-in attempt under way, so that some runs reach past the session look-up.
    const started = await fetch(`${s.t.baseUrl}/auth/sign_in`, { redirect: 'manual' });
    attemptCookie = started.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  });
  afterAll(async () => s.close());

  it('never answers 5xx and never starts a signed-in session', async () => {
    const name = s.t.config.session.cookieName;
    const cookie = fc.oneof(
      fc.constant(attemptCookie),
      headerText.map((value) => `${name}=${value}`),
      headerText,
    );
    await fc.assert(
      fc.asyncProperty(callbackQuery, cookie, async (query, cookieHeader) => {
        const response = await fetch(`${s.t.baseUrl}/auth/redirect?${query}`, {
          redirect: 'manual',
          headers: { cookie: cookieHeader, accept: 'text/html' },
        });
        await response.arrayBuffer();
        expect(response.status).toBeLessThan(500);
        // A signed-in session would come as a new cookie with a redirect away from the callback.
        expect(response.headers.getSetCookie()).toEqual([]);
      }),
      { numRuns: 300, plugins: [fc.interruptAfterTimeLimit(15_000)] },
    );
    const details = await fetch(`${s.t.baseUrl}/token_details`, {
      headers: { cookie: attemptCookie },
    });
    expect(details.status).toBe(401);
    expect((await fetch(`${s.t.baseUrl}/healthz`)).status).toBe(200);
  });
});
