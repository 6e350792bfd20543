/** The doctor's clock check: ID tokens' `iat`, `nbf` and `exp` are judged by this machine's clock. */
import type { CheckResult } from './check-result.js';

const TITLE = 'This machine’s clock agrees with the provider’s';

/**
 * Compares our clock with the provider's `Date` header (which has a resolution of one second),
 * against the tolerance the app allows when checking ID tokens (CLOCK_TOLERANCE).
 */
export function checkClock(
  clock: { providerMs: number; localMs: number } | null,
  toleranceSeconds: number,
): CheckResult {
  if (clock === null) {
    return {
      title: TITLE,
      status: 'skip',
      detail: 'The provider sent no Date header to compare with.',
    };
  }
  const skew = Math.round((clock.localMs - clock.providerMs) / 1000);
  // One second of slack for the header's resolution and the request's round trip.
  if (Math.abs(skew) <= toleranceSeconds + 1) {
    return {
      title: TITLE,
      status: 'pass',
      detail: `${Math.abs(skew)} s apart (CLOCK_TOLERANCE allows ${toleranceSeconds} s).`,
    };
  }
  return {
    title: TITLE,
    status: 'fail',
    detail: `This machine’s clock is ${Math.abs(skew)} s ${skew > 0 ? 'ahead of' : 'behind'} the provider’s; ID tokens will be refused as not yet valid or expired (CLOCK_TOLERANCE allows ${toleranceSeconds} s).`,
    fix: 'Synchronise the clock (NTP: timedatectl set-ntp true on Linux, w32tm /resync on Windows); raising CLOCK_TOLERANCE only hides the problem.',
  };
}
