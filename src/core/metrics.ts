import { isAppError, type ErrorCode } from './errors.js';

/**
 * Measurements of work a host cannot see from outside the core, for its metrics (the app maps
 * them to Prometheus): optional hooks, framework-free, with no metrics library behind them.
 * Sign-in outcomes are the audit trail's events (`onEvent`); the session store's timings are a
 * wrapping `SessionStore`'s to take.
 *
 * @example
 * const signIn = await createEntraSignIn(fromEnv(process.env), {
 *   metrics: {
 *     tokenRefreshed: ({ durationMs, code }) =>
 *       refreshSeconds.observe({ outcome: code === null ? 'success' : 'failure' }, durationMs / 1000),
 *   },
 * });
 */
export interface SignInMetrics {
  /** A refresh-token grant at the token endpoint ended (RFC 6749 §6), well or not. */
  readonly tokenRefreshed?: ((measurement: TokenRefreshMeasurement) => void) | undefined;
}

/** How one refresh-token grant went. */
export interface TokenRefreshMeasurement {
  /** From the request to the token endpoint to its checked answer (ID token included). */
  readonly durationMs: number;
  /** `null` when the provider issued a token; the failure's code otherwise. */
  readonly code: ErrorCode | null;
}

/**
 * Runs a refresh-token grant and reports it to `metrics.tokenRefreshed`. A hook that throws is
 * ignored: measuring never fails the request it measures.
 */
export async function measureTokenRefresh<T>(
  metrics: SignInMetrics | undefined,
  grant: () => Promise<T>,
): Promise<T> {
  const report = metrics?.tokenRefreshed;
  if (report === undefined) return grant();
  const started = performance.now();
  const measured = (code: ErrorCode | null) => {
    try {
      report({ durationMs: performance.now() - started, code });
    } catch {
      // A host's metrics are no reason to fail a refresh.
    }
  };
  try {
    const result = await grant();
    measured(null);
    return result;
  } catch (error) {
    measured(isAppError(error) ? error.code : 'INTERNAL');
    throw error;
  }
}
