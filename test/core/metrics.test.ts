import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.js';
import { measureTokenRefresh, type TokenRefreshMeasurement } from '../../src/core/metrics.js';

describe('measureTokenRefresh', () => {
  it('reports how long a grant took, with no code when it gave a token', async () => {
    const seen: TokenRefreshMeasurement[] = [];
    const result = await measureTokenRefresh({ tokenRefreshed: (m) => seen.push(m) }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return 'token';
    });
    expect(result).toBe('token');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.code).toBeNull();
    expect(seen[0]?.durationMs).toBeGreaterThanOrEqual(15);
  });

  it("reports a failed grant with its error's code, and rethrows the error", async () => {
    const seen: TokenRefreshMeasurement[] = [];
    const refused = new AppError('API_SIGN_IN_AGAIN', 'The refresh token was refused');
    await expect(
      measureTokenRefresh({ tokenRefreshed: (m) => seen.push(m) }, () => Promise.reject(refused)),
    ).rejects.toBe(refused);
    await expect(
      measureTokenRefresh({ tokenRefreshed: (m) => seen.push(m) }, () =>
        Promise.reject(new Error('not ours')),
      ),
    ).rejects.toThrow('not ours');
    expect(seen.map((m) => m.code)).toEqual(['API_SIGN_IN_AGAIN', 'INTERNAL']);
  });

  it('does not fail the refresh when the hook throws', async () => {
    const hook = {
      tokenRefreshed: () => {
        throw new Error('a broken metrics hook');
      },
    };
    await expect(measureTokenRefresh(hook, () => Promise.resolve('token'))).resolves.toBe('token');
  });

  it('runs the grant as it is without hooks', async () => {
    await expect(measureTokenRefresh(undefined, () => Promise.resolve(1))).resolves.toBe(1);
    await expect(measureTokenRefresh({}, () => Promise.resolve(2))).resolves.toBe(2);
  });
});
