import * as oidc from 'openid-client';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/core/errors.js';
import { translateProviderError } from '../../../src/core/provider/translate-provider-error.js';

// Issue 14: the client assertion fails inside openid-client's client authentication hook.
describe('translateProviderError', () => {
  it('keeps the AppError of our own hook that openid-client wrapped', () => {
    const cause = new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    const ours = new AppError('CLIENT_ASSERTION_UNAVAILABLE', 'The endpoint did not answer', {
      cause,
    });
    // What openid-client's errorHandler makes of an error it does not know.
    const wrapped = new oidc.ClientError('something went wrong', { cause: ours });
    const translated = translateProviderError(wrapped);
    expect(translated).toBe(ours);
    expect(translated.status).toBe(503);
  });
});
