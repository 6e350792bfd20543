/** The benchmark's scenarios: each drives a server and reports what it measured. */
import autocannon from 'autocannon';
import { cpuMicros } from './processes.js';

/** What one scenario measured. */
export interface Measurement {
  readonly name: string;
  /** Requests (or complete sign-ins) per second. */
  readonly perSecond: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  /** Non-2xx answers and connection errors or timeouts (failed flows for `login`). */
  readonly failures: number;
  /** CPU time the server process used per request (per sign-in for `login`), in µs. */
  readonly cpuMicrosPerOp: number | null;
  readonly note?: string;
}

/**
 * Loads `url` with `connections` keep-alive connections for `seconds`, autocannon's way: all
 * with `cookie`, or with `cookies` each connection its own (one session per connection, as from
 * as many browsers).
 */
export async function loadPage(
  name: string,
  options: {
    url: string;
    pid: number;
    connections: number;
    seconds: number;
    cookie?: string;
    cookies?: readonly string[];
  },
): Promise<Measurement> {
  const { cookies } = options;
  let next = 0;
  const cpuBefore = cpuMicros(options.pid);
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    headers: options.cookie === undefined ? {} : { cookie: options.cookie },
    ...(cookies === undefined || cookies.length === 0
      ? {}
      : {
          setupClient: (client: autocannon.Client) => {
            client.setHeaders({ cookie: cookies[next++ % cookies.length] });
          },
        }),
  });
  const cpu = cpuMicros(options.pid) - cpuBefore;
  const total = result.requests.total;
  return {
    name,
    perSecond: total / options.seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors,
    cpuMicrosPerOp: total > 0 ? cpu / total : null,
  };
}

/** Where the app's sign-in starts, asking to come back to the claims page. */
export const APP_SIGN_IN_PATH = '/auth/sign_in?post_sign_in_url=%2Ftoken_details';

/**
 * One browser's complete sign-in, from the sign-in link (`signInPath`: the app's, or another
 * library's that comes back to its claims page) to the claims page: the rest of the way is the
 * redirects the app and the provider answer.
 */
export async function signInOnce(
  appUrl: string,
  signInPath: string = APP_SIGN_IN_PATH,
): Promise<{ ok: boolean; cookie: string; status: number }> {
  const start = await fetch(`${appUrl}${signInPath}`, { redirect: 'manual' });
  await start.arrayBuffer();
  const attemptCookie = cookieOf(start);
  // The provider answers at once with a redirect to the app's redirect URI (auto sign-in).
  const provider = await fetch(start.headers.get('location') ?? '', { redirect: 'manual' });
  await provider.arrayBuffer();
  const callback = await fetch(provider.headers.get('location') ?? '', {
    redirect: 'manual',
    headers: { cookie: attemptCookie },
  });
  await callback.arrayBuffer();
  const cookie = cookieOf(callback);
  const claims = await fetch(new URL(callback.headers.get('location') ?? '/', appUrl), {
    redirect: 'manual',
    headers: { cookie },
  });
  const body = await claims.text();
  return {
    ok: claims.status === 200 && body.includes('Alice Bench'),
    cookie,
    status: claims.status,
  };
}

// The cookies a response sets (the sign-in attempt, then the session), not the ones it clears
// (with `Max-Age=0`, or an `Expires` in the past as Express's clearCookie writes), as one
// `Cookie` header. entra-signin sets one; express-openid-connect splits a large session in chunks.
function cookieOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .filter((header) => !/Max-Age=0/i.test(header) && !expired(header))
    .map((header) => header.split(';')[0] ?? '')
    .join('; ');
}

function expired(header: string): boolean {
  const expires = /;\s*Expires=([^;]+)/i.exec(header)?.[1];
  return expires !== undefined && Date.parse(expires) < Date.now();
}

/**
 * `users` virtual users each signing in again and again for `seconds`, from `signInPath`
 * ({@link signInOnce}'s).
 */
export async function loadSignIns(options: {
  appUrl: string;
  pid: number;
  users: number;
  seconds: number;
  signInPath?: string;
  name?: string;
}): Promise<Measurement> {
  const latencies: number[] = [];
  let failures = 0;
  const cpuBefore = cpuMicros(options.pid);
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.users }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const outcome = await signInOnce(options.appUrl, options.signInPath).catch(() => null);
        if (outcome?.ok === true) latencies.push(performance.now() - t0);
        else failures += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu = cpuMicros(options.pid) - cpuBefore;
  latencies.sort((a, b) => a - b);
  return {
    name: options.name ?? 'login',
    perSecond: latencies.length / elapsed,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    failures,
    cpuMicrosPerOp: latencies.length > 0 ? cpu / latencies.length : null,
  };
}

/** The value below which a fraction `p` of sorted `values` lie. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  return values[Math.min(values.length - 1, Math.floor(p * values.length))] ?? null;
}
