import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { SignInEvent } from '../core/events.js';
import type { SignInMetrics, TokenRefreshMeasurement } from '../core/metrics.js';

/** What a store operation measured by {@link AppMetrics.storeOperation} is called. */
export type StoreOperation =
  | 'get'
  | 'set'
  | 'getTokens'
  | 'setTokens'
  | 'replace'
  | 'touch'
  | 'delete'
  | 'deleteByUser'
  | 'listByUser'
  | 'listUsers'
  | 'deleteByProviderSid'
  | 'markUsed'
  | 'forgetUsed'
  | 'purgeExpired';

// Every label takes its values from a closed set (route patterns, error codes, event types,
// status codes, operation names), never from what a client sent: the series stay bounded.
const SECONDS_FAST = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const SECONDS_HTTP = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const SECONDS_PROVIDER = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

// A sign-in's outcome waits here between its event and the end of its response; entries are
// removed at that end, and the bound only guards against a response that never ends.
const MAX_PENDING_OUTCOMES = 10_000;

/**
 * The app's Prometheus metrics, in a registry of its own (two apps in one process, as in the
 * tests, do not share counters): sign-ins by outcome and code, how long the app took over the
 * provider's answer, token refreshes, session store operations, HTTP requests by route pattern
 * and status, and Node's process metrics.
 */
export class AppMetrics {
  readonly registry = new Registry();
  readonly #signIns: Counter<'outcome' | 'code'>;
  readonly #signInSeconds: Histogram<'outcome'>;
  readonly #events: Counter<'type'>;
  readonly #refreshes: Counter<'outcome' | 'code'>;
  readonly #refreshSeconds: Histogram<'outcome'>;
  readonly #storeSeconds: Histogram<'operation'>;
  readonly #storeErrors: Counter<'operation'>;
  readonly #httpSeconds: Histogram<'method' | 'route' | 'status'>;
  readonly #pendingOutcomes = new Map<string, 'success' | 'failure'>();

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.#signIns = new Counter({
      name: 'entra_signin_sign_ins_total',
      help: 'Completed sign-ins (outcome success) and failed ones (outcome failure, with the error code)',
      labelNames: ['outcome', 'code'],
      registers,
    });
    this.#signInSeconds = new Histogram({
      name: 'entra_signin_sign_in_duration_seconds',
      help: "Time the app took over the provider's answer at the redirect URI: code exchange, ID token checks, session write",
      labelNames: ['outcome'],
      buckets: SECONDS_PROVIDER,
      registers,
    });
    this.#events = new Counter({
      name: 'entra_signin_audit_events_total',
      help: 'Events of the audit trail, by type',
      labelNames: ['type'],
      registers,
    });
    this.#refreshes = new Counter({
      name: 'entra_signin_token_refreshes_total',
      help: 'Refresh-token grants at the token endpoint (outcome success, or failure with the error code)',
      labelNames: ['outcome', 'code'],
      registers,
    });
    this.#refreshSeconds = new Histogram({
      name: 'entra_signin_token_refresh_duration_seconds',
      help: 'Time a refresh-token grant took, the ID token check included',
      labelNames: ['outcome'],
      buckets: SECONDS_PROVIDER,
      registers,
    });
    this.#storeSeconds = new Histogram({
      name: 'entra_signin_session_store_duration_seconds',
      help: 'Time session store operations took, failed ones included',
      labelNames: ['operation'],
      buckets: SECONDS_FAST,
      registers,
    });
    this.#storeErrors = new Counter({
      name: 'entra_signin_session_store_errors_total',
      help: 'Session store operations that failed',
      labelNames: ['operation'],
      registers,
    });
    this.#httpSeconds = new Histogram({
      name: 'entra_signin_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern (unmatched for none) and status code',
      labelNames: ['method', 'route', 'status'],
      buckets: SECONDS_HTTP,
      registers,
    });
  }

  /** Counts an event of the audit trail (pass it on from the library's `onEvent`). */
  recordEvent(event: SignInEvent): void {
    this.#events.inc({ type: event.type });
    if (event.type === 'signed-in') {
      this.#signIns.inc({ outcome: 'success' });
      this.#keepOutcome(event.requestId, 'success');
    } else if (event.type === 'sign-in-failed') {
      this.#signIns.inc({ outcome: 'failure', code: event.code });
      this.#keepOutcome(event.requestId, 'failure');
    }
  }

  /** The hooks the library reports token refreshes to. */
  readonly signInMetrics: SignInMetrics = {
    tokenRefreshed: (measurement: TokenRefreshMeasurement) => {
      const outcome = measurement.code === null ? 'success' : 'failure';
      this.#refreshes.inc(
        measurement.code === null ? { outcome } : { outcome, code: measurement.code },
      );
      this.#refreshSeconds.observe({ outcome }, measurement.durationMs / 1000);
    },
  };

  /** Records one session store operation. */
  storeOperation(operation: StoreOperation, seconds: number, failed: boolean): void {
    this.#storeSeconds.observe({ operation }, seconds);
    if (failed) this.#storeErrors.inc({ operation });
  }

  /**
   * Records a request that ended. `route` is the pattern the router matched (`/auth/redirect`,
   * `/static/*`), never the URL. At the redirect URI, a request that signed someone in or failed
   * to is also a sign-in's duration.
   */
  httpRequest(
    request: { id: string; method: string; route: string | undefined },
    status: number,
    seconds: number,
    redirectPath: string,
  ): void {
    const route = request.route ?? 'unmatched';
    this.#httpSeconds.observe({ method: request.method, route, status: String(status) }, seconds);
    if (route !== redirectPath) return;
    const outcome = this.#pendingOutcomes.get(request.id);
    if (outcome === undefined) return;
    this.#pendingOutcomes.delete(request.id);
    this.#signInSeconds.observe({ outcome }, seconds);
  }

  #keepOutcome(requestId: string, outcome: 'success' | 'failure'): void {
    if (requestId === '') return;
    if (this.#pendingOutcomes.size >= MAX_PENDING_OUTCOMES) {
      const oldest = this.#pendingOutcomes.keys().next().value;
      if (oldest !== undefined) this.#pendingOutcomes.delete(oldest);
    }
    this.#pendingOutcomes.set(requestId, outcome);
  }
}
