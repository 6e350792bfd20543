import { describe, expect, it } from 'vitest';
import { redactQuery } from '../../src/app/log-options.js';

describe('redactQuery', () => {
  it('replaces every query value', () => {
    expect(redactQuery('/auth/redirect?code=secret&state=s&session_state=x')).toBe(
      '/auth/redirect?code=[redacted]&state=[redacted]&session_state=[redacted]',
    );
  });

  it('logs only known parameter names, and no path parameters (issue 10, info)', () => {
    expect(redactQuery('/auth/redirect;code=secret?state=s&%0Afake=1')).toBe(
      '/auth/redirect;[redacted]?state=[redacted]&(other)=[redacted]',
    );
  });

  it('leaves a URL without a query alone', () => {
    expect(redactQuery('/token_details')).toBe('/token_details');
  });
});
