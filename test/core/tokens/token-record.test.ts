import { describe, expect, it } from 'vitest';
import {
  findAccessToken,
  normaliseScopes,
  refreshTimeOf,
  TokenSealer,
  withAccessToken,
  withoutAccessToken,
  type TokenRecord,
} from '../../../src/core/tokens/token-record.js';

const NOW = 1_700_000_000_000;
const HOUR = 3_600_000;
const empty: TokenRecord = { refreshToken: 'rt-secret', accessTokens: [], interactions: [] };

function token(scopes: string[], expiresIn: number, value = `at-${scopes.join('+')}`) {
  return {
    scopes,
    granted: scopes,
    token: value,
    expiresAt: NOW + expiresIn,
    refreshAt: refreshTimeOf(NOW, NOW + expiresIn),
  };
}

describe('cached access tokens', () => {
  it('are refreshed five minutes before they expire', () => {
    const record = withAccessToken(empty, token(['User.Read'], HOUR));
    expect(findAccessToken(record, ['User.Read'], NOW + 54 * 60_000)?.token).toBe('at-User.Read');
    expect(findAccessToken(record, ['User.Read'], NOW + 55 * 60_000)).toBeNull();
  });

  it('that live under ten minutes are used for half their life', () => {
    const record = withAccessToken(empty, token(['User.Read'], 4 * 60_000));
    expect(findAccessToken(record, ['User.Read'], NOW + 119_000)).not.toBeNull();
    expect(findAccessToken(record, ['User.Read'], NOW + 120_000)).toBeNull();
  });

  it('are kept per set of scopes, whatever their order', () => {
    let record = withAccessToken(empty, token(['Mail.Read', 'User.Read'], HOUR, 'both'));
    record = withAccessToken(record, token(['api://x/read'], HOUR, 'other-api'));
    expect(findAccessToken(record, normaliseScopes(['User.Read', 'Mail.Read']), NOW)?.token).toBe(
      'both',
    );
    expect(findAccessToken(record, ['api://x/read'], NOW)?.token).toBe('other-api');
    expect(findAccessToken(record, ['Files.Read'], NOW)).toBeNull();
  });

  it('serve a narrower request when their granted scopes cover it', () => {
    const record = withAccessToken(empty, token(['Mail.Read', 'User.Read'], HOUR, 'both'));
    expect(findAccessToken(record, ['User.Read'], NOW)?.token).toBe('both');
  });

  it('replace the token of the same scopes, are bounded, and can be forgotten', () => {
    let record = empty;
    for (let i = 0; i < 20; i++) record = withAccessToken(record, token([`s${i}`], HOUR));
    expect(record.accessTokens).toHaveLength(8);
    record = withAccessToken(record, token(['s19'], HOUR, 'newer'));
    expect(record.accessTokens.filter((t) => t.scopes[0] === 's19')).toHaveLength(1);
    expect(withoutAccessToken(record, 'newer').accessTokens.some((t) => t.token === 'newer')).toBe(
      false,
    );
  });
});

describe('sealed token records', () => {
  const sealer = new TokenSealer(['a-token-encryption-key-of-32-chars!!']);
  const record = withAccessToken(empty, token(['User.Read'], HOUR, 'at-secret'));

  it('hold no token in clear and open again for the same session', () => {
    const sealed = sealer.seal(record, 'session-a');
    expect(sealed).not.toContain('rt-secret');
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toContain('at-secret');
    expect(sealer.open(sealed, 'session-a')).toEqual(record);
  });

  it('do not open for another session, or once tampered with', () => {
    const sealed = sealer.seal(record, 'session-a');
    expect(sealer.open(sealed, 'session-b')).toBeNull();
    const flipped = Buffer.from(sealed, 'base64url');
    flipped[20] = (flipped[20] ?? 0) ^ 1;
    expect(sealer.open(flipped.toString('base64url'), 'session-a')).toBeNull();
  });

  it('open with an older key after rotation, and not with an unrelated key', () => {
    const sealed = sealer.seal(record, 'session-a');
    const rotated = new TokenSealer([
      'the-new-token-encryption-key-32-ch',
      'a-token-encryption-key-of-32-chars!!',
    ]);
    expect(rotated.open(sealed, 'session-a')).toEqual(record);
    expect(
      new TokenSealer(['the-new-token-encryption-key-32-ch']).open(sealed, 'session-a'),
    ).toBeNull();
  });
});
