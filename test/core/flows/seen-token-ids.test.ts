import { describe, expect, it } from 'vitest';
import { SeenTokenIds } from '../../../src/core/flows/seen-token-ids.js';

describe('SeenTokenIds', () => {
  it('tells a replay from a first use', () => {
    const seen = new SeenTokenIds();
    expect(seen.remember('jti-1', 2_000, 1_000)).toBe(true);
    expect(seen.remember('jti-1', 2_000, 1_500)).toBe(false);
    expect(seen.remember('jti-2', 2_000, 1_500)).toBe(true);
  });

  it('forgets an id once it has expired', () => {
    const seen = new SeenTokenIds();
    seen.remember('jti-1', 2_000, 1_000);
    expect(seen.remember('jti-1', 4_000, 2_000)).toBe(true);
  });

  it('stays within its bound, forgetting the oldest first', () => {
    const seen = new SeenTokenIds({ maxEntries: 3 });
    for (const id of ['a', 'b', 'c', 'd']) seen.remember(id, 10_000, 0);
    expect(seen.size).toBe(3);
    expect(seen.remember('a', 10_000, 0)).toBe(true);
    expect(seen.remember('d', 10_000, 0)).toBe(false);
  });

  it('accepts an id again once it is forgotten (its work failed)', () => {
    const seen = new SeenTokenIds();
    expect(seen.remember('a', 10_000, 0)).toBe(true);
    seen.forget('a');
    expect(seen.remember('a', 10_000, 0)).toBe(true);
    expect(seen.remember('a', 10_000, 0)).toBe(false);
  });
});
