import type { FastifyInstance } from 'fastify';
import { isAppError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ProviderConnection } from '../core/provider/provider-connection.js';
import type { SessionStore } from '../core/session/session-store.js';

/** How long a check's answer is reused: a burst of probes costs one store read per period. */
export const READINESS_CACHE_MS = 5_000;
/** How long one check may take before it counts as failed. */
export const READINESS_CHECK_TIMEOUT_MS = 2_000;

// Never a session key (those are SHA-256 hashes in base64url): the probe reads nothing real.
const PROBE_KEY = 'readyz:probe';

/** One check's answer, as `/readyz` shows it. */
export interface CheckResult {
  readonly status: 'ok' | 'failed';
  /** Why it failed, in a sentence without secrets (the log line has the error). */
  readonly reason?: string;
}

/** What `/readyz` answers: 200 with `ready`, 503 otherwise. */
export interface ReadinessReport {
  readonly status: 'ready' | 'not ready' | 'stopping';
  readonly checks: Readonly<Record<string, CheckResult>>;
}

/**
 * A check whose answer is kept for a while and shared: however many probes come, the work runs
 * at most once per {@link READINESS_CACHE_MS}, and gives up after its timeout.
 */
class CachedCheck {
  readonly #run: () => Promise<void>;
  readonly #describe: (error: unknown) => string;
  readonly #now: () => number;
  #answer: { result: CheckResult; until: number } | null = null;
  #pending: Promise<CheckResult> | null = null;

  constructor(run: () => Promise<void>, describe: (error: unknown) => string, now: () => number) {
    this.#run = run;
    this.#describe = describe;
    this.#now = now;
  }

  result(log: Logger): Promise<CheckResult> {
    if (this.#answer !== null && this.#now() < this.#answer.until) {
      return Promise.resolve(this.#answer.result);
    }
    this.#pending ??= this.#check(log).then((result) => {
      this.#answer = { result, until: this.#now() + READINESS_CACHE_MS };
      this.#pending = null;
      return result;
    });
    return this.#pending;
  }

  async #check(log: Logger): Promise<CheckResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new CheckTimedOut()), READINESS_CHECK_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.#run(), timeout]);
      return { status: 'ok' };
    } catch (error) {
      const reason =
        error instanceof CheckTimedOut
          ? `no answer within ${READINESS_CHECK_TIMEOUT_MS / 1000} s`
          : this.#describe(error);
      log.warn({ err: error, reason }, 'readiness check failed');
      return { status: 'failed', reason };
    } finally {
      clearTimeout(timer);
    }
  }
}

class CheckTimedOut extends Error {}

/**
 * Whether this instance should get traffic: the session store answers and the provider's
 * metadata is loaded. Once loaded, the metadata stays (the provider connection keeps it), so a
 * provider's passing trouble does not take every instance out of the balancer at once; before,
 * the check is what asks for it, no more often than the connection's own retry delay allows.
 */
export class Readiness {
  readonly #store: CachedCheck;
  readonly #provider: CachedCheck;
  #stopping = false;

  constructor(
    store: SessionStore,
    provider: ProviderConnection,
    options: { readonly now?: () => number } = {},
  ) {
    const now = options.now ?? Date.now;
    this.#store = new CachedCheck(
      async () => {
        await store.get(PROBE_KEY, Date.now());
      },
      (error) => `the session store failed${codeOf(error)}`,
      now,
    );
    this.#provider = new CachedCheck(
      async () => {
        if (!provider.isDiscovered) await provider.configuration();
      },
      (error) => `the provider's metadata could not be loaded${codeOf(error)}`,
      now,
    );
  }

  /** From now on, not ready: the app is shutting down. */
  stop(): void {
    this.#stopping = true;
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  // A call, so that the compiler does not take the value read before an await for the one after.
  #isStopping(): boolean {
    return this.#stopping;
  }

  async report(log: Logger): Promise<ReadinessReport> {
    if (this.#stopping) {
      return {
        status: 'stopping',
        checks: { shutdown: { status: 'failed', reason: 'the app is shutting down' } },
      };
    }
    const [store, provider] = await Promise.all([
      this.#store.result(log),
      this.#provider.result(log),
    ]);
    const ready = store.status === 'ok' && provider.status === 'ok';
    // A shutdown that began while the checks ran wins.
    const status = this.#isStopping() ? 'stopping' : ready ? 'ready' : 'not ready';
    return { status, checks: { store, provider } };
  }
}

// The error's code only (AUTH_PROVIDER_UNREACHABLE, ECONNREFUSED): a driver's message may name
// hosts and users, and /readyz answers anyone.
function codeOf(error: unknown): string {
  const code = isAppError(error) ? error.code : (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code) ? ` (${code})` : '';
}

/** `GET /readyz`: 200 `{status: 'ready', checks}` or 503 with the checks that failed. */
export function registerReadinessRoute(app: FastifyInstance, readiness: Readiness): void {
  app.get('/readyz', async (request, reply) => {
    const report = await readiness.report(request.log);
    return reply
      .code(report.status === 'ready' ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(report);
  });
}
