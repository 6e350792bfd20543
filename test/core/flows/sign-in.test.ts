import { describe, expect, it } from 'vitest';
import { matchAnswer, rememberAttempt, MAX_PENDING_ATTEMPTS } from '../../../src/core/flows/sign-in.js';
import type { SignInAttempt } from '../../../src/core/session/session-store.js';

const attempt = (state: string, startedAt = 1_000): SignInAttempt => ({
  state,
  nonce: `nonce-${state}`,
  codeVerifier: `verifier-${state}`,
  returnTo: '/',
  startedAt,
});
const options = { now: 2_000, signInTimeoutMs: 60_000 };

describe('matchAnswer', () => {
  it('finds the attempt an answer belongs to and keeps the others', () => {
    const matched = matchAnswer('code=c&state=b', [attempt('a'), attempt('b')], options);
    expect(matched.attempt.state).toBe('b');
    expect(matched.otherAttempts.map((a) => a.state)).toEqual(['a']);
  });

  it('refuses a repeated parameter', () => {
    expect(() => matchAnswer('state=a&state=a&code=c', [attempt('a')], options)).toThrow(
      expect.objectContaining({ code: 'AUTH_CALLBACK_INVALID' }),
    );
  });

  it('refuses an answer without state', () => {
    expect(() => matchAnswer('code=c', [attempt('a')], options)).toThrow(
      expect.objectContaining({ code: 'AUTH_CALLBACK_INVALID' }),
    );
  });

  it('refuses a state it did not issue', () => {
    expect(() => matchAnswer('code=c&state=z', [attempt('a')], options)).toThrow(
      expect.objectContaining({ code: 'AUTH_ATTEMPT_NOT_FOUND' }),
    );
  });

  it('refuses an attempt older than the sign-in timeout', () => {
    expect(() =>
      matchAnswer('code=c&state=a', [attempt('a', 0)], { now: 60_001, signInTimeoutMs: 60_000 }),
    ).toThrow(expect.objectContaining({ code: 'AUTH_ATTEMPT_EXPIRED' }));
  });
});

describe('rememberAttempt', () => {
  it(`keeps at most ${MAX_PENDING_ATTEMPTS} attempts, dropping the oldest`, () => {
    let attempts: SignInAttempt[] = [];
    for (let i = 0; i < MAX_PENDING_ATTEMPTS + 2; i += 1)
      attempts = rememberAttempt(attempts, attempt(`s${i}`));
    expect(attempts).toHaveLength(MAX_PENDING_ATTEMPTS);
    expect(attempts[0]?.state).toBe('s2');
  });
});
