import { describe, expect, it } from 'vitest';
import {
  bearerParameters,
  claimsChallengeOf,
  claimsParameter,
  describeClaims,
} from '../../../src/core/tokens/claims-challenge.js';

// The example of https://learn.microsoft.com/entra/identity-platform/claims-challenge
const ACRS_CLAIMS = { access_token: { acrs: { essential: true, value: 'c1' } } };
const ENCODED = Buffer.from(JSON.stringify(ACRS_CLAIMS)).toString('base64');
const challengeHeader = `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="${ENCODED}"`;

function answer(status: number, header?: string) {
  return new Response(null, {
    status,
    headers: header === undefined ? {} : { 'www-authenticate': header },
  });
}

describe('a claims challenge', () => {
  it('is read from a 401 with error="insufficient_claims", its claims decoded from base64', () => {
    expect(claimsChallengeOf(answer(401, challengeHeader))).toEqual(ACRS_CLAIMS);
  });

  it('is read when the API sends the claims as JSON instead', () => {
    const header = `Bearer error="insufficient_claims", claims="${JSON.stringify(ACRS_CLAIMS).replace(/"/g, '\\"')}"`;
    expect(claimsChallengeOf(answer(401, header))).toEqual(ACRS_CLAIMS);
  });

  it('is not seen in a plain 401, another error, another status, or claims that are not JSON', () => {
    expect(claimsChallengeOf(answer(401, 'Bearer realm=""'))).toBeNull();
    expect(claimsChallengeOf(answer(401, 'Bearer error="invalid_token"'))).toBeNull();
    expect(claimsChallengeOf(answer(403, challengeHeader))).toBeNull();
    expect(claimsChallengeOf(answer(401))).toBeNull();
    expect(
      claimsChallengeOf(answer(401, 'Bearer error="insufficient_claims", claims="bm90IGpzb24="')),
    ).toBeNull();
  });

  it('is found among several challenges of one header', () => {
    const params = bearerParameters(`Basic realm="x", ${challengeHeader}`);
    expect(params.get('error')).toBe('insufficient_claims');
    expect(params.get('realm')).toBe('');
  });
});

describe('the claims request parameter', () => {
  it('declares the client capabilities alongside the claims asked for', () => {
    const sent = claimsParameter(ACRS_CLAIMS, ['cp1']);
    expect(JSON.parse(sent ?? '')).toEqual({
      access_token: { acrs: { essential: true, value: 'c1' }, xms_cc: { values: ['cp1'] } },
    });
  });

  it('declares the capabilities alone when there is no challenge, and is absent with neither', () => {
    expect(JSON.parse(claimsParameter(null, ['cp1']) ?? '')).toEqual({
      access_token: { xms_cc: { values: ['cp1'] } },
    });
    expect(claimsParameter(null, [])).toBeUndefined();
  });

  it('describes what was asked in words safe to show', () => {
    expect(describeClaims(ACRS_CLAIMS)).toBe('acrs c1');
    expect(describeClaims({ access_token: { '<b>': { value: '<script>' } } })).toBe('more claims');
  });
});
