import * as oidc from 'openid-client';
import { describe, expect, it } from 'vitest';
import { pkceChallengeOf } from '../../../src/core/flows/sign-in.js';

describe('the S256 code challenge', () => {
  it("is RFC 7636's example for its example verifier", () => {
    // RFC 7636, Appendix B.
    expect(pkceChallengeOf('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it("matches openid-client's for fresh verifiers", async () => {
    for (let i = 0; i < 20; i += 1) {
      const verifier = oidc.randomPKCECodeVerifier();
      expect(pkceChallengeOf(verifier)).toBe(await oidc.calculatePKCECodeChallenge(verifier));
    }
  });
});
