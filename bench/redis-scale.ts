/**
 * The scale scenarios on Redis: what a session costs in Redis's memory, look-ups through the
 * library's store among a million sessions, and sign-ins with two app instances on one Redis.
 */
import { createClient, type RedisClientType } from 'redis';
import { indexesOf } from '../src/core/session/session-store.js';
import { RedisSessionStore } from '../src/stores/redis.js';
import { cpuMicros } from './processes.js';
import { loadSignIns, percentile, signInOnce } from './scenarios.js';
import { copySession, type SessionCopy, type SessionSample } from './session-sample.js';

/** What Redis measured at `sessions` sessions. */
export interface RedisScale {
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  /** `MEMORY USAGE` of a session's hash and its person and provider-session index entries. */
  readonly bytesPerSession: number;
  /** Growth of Redis's `used_memory` over the fill, per session (its key tables included). */
  readonly usedBytesPerSession: number;
  readonly usedMiB: number;
  readonly fillSeconds: number;
}

/** Sign-ins with the app on Redis, over one or more instances. */
export interface RedisSignIns {
  readonly instances: number;
  readonly users: number;
  readonly perSecond: number;
  /** The highest of the instances' p99s. */
  readonly p99Ms: number | null;
  readonly failures: number;
  /** The app processes' CPU time (all instances) per complete sign-in, in µs. */
  readonly appCpuMicrosPerSignIn: number | null;
  /** redis-server's CPU time per complete sign-in, in µs. */
  readonly redisCpuMicrosPerSignIn: number | null;
}

// The standalone store's key layout with its default prefix (src/stores/redis.ts); the bench
// checks that the keys it measures exist, so a change of layout fails here rather than lies.
const PREFIX = 'entra-signin:';
const SAMPLED = 200;
// Sets in flight at once: each is a MULTI of up to a dozen commands, and the client queues at
// most 10,000 (src/stores/redis.ts).
const BATCH = 400;

/**
 * Fills an empty Redis with `count` copies of a real session (each another person, token
 * record included) through the store's own `set`, `BATCH` at a time; reads their memory; then
 * times `lookups` random `get`s through the store, one after another.
 */
export async function measureRedisScale(options: {
  url: string;
  sample: SessionSample;
  count: number;
  lookups: number;
}): Promise<RedisScale> {
  const admin: RedisClientType = createClient({ url: options.url });
  await admin.connect();
  const store = new RedisSessionStore(options.url, { commandTimeoutMs: 30_000 });
  try {
    await admin.flushAll();
    const usedBefore = await usedMemory(admin);
    const now = Date.now();
    const every = Math.ceil(options.count / options.lookups);
    const looked: string[] = [];
    const sampled: SessionCopy[] = [];
    const fillStart = performance.now();
    for (let from = 0; from < options.count; from += BATCH) {
      const batch: Promise<void>[] = [];
      for (let i = from; i < Math.min(options.count, from + BATCH); i += 1) {
        const copy = copySession(options.sample, i, now);
        if (i % every === 0) looked.push(copy.key);
        if (sampled.length < SAMPLED && i % 997 === 0) sampled.push(copy);
        batch.push(store.set(copy.key, copy.session, copy.tokens ?? undefined));
      }
      await Promise.all(batch);
    }
    const fillSeconds = (performance.now() - fillStart) / 1000;
    const used = await usedMemory(admin);
    let bytes = 0;
    for (const copy of sampled) bytes += await sessionMemory(admin, copy);

    const timings: number[] = [];
    for (let i = 0; i < looked.length; i += 1) {
      const key = looked[(i * 7919) % looked.length] ?? '';
      const t0 = performance.now();
      const session = await store.get(key, now);
      timings.push(performance.now() - t0);
      if (session === null) throw new Error('a stored session was not found in Redis');
    }
    timings.sort((a, b) => a - b);
    return {
      p50Ms: percentile(timings, 0.5),
      p99Ms: percentile(timings, 0.99),
      bytesPerSession: bytes / sampled.length,
      usedBytesPerSession: (used - usedBefore) / options.count,
      usedMiB: used / 2 ** 20,
      fillSeconds,
    };
  } finally {
    await store.close();
    // The next scenario (the app instances) starts from an empty Redis.
    await admin.flushAll().catch(() => undefined);
    await admin.close();
  }
}

/**
 * `users` virtual users signing in again and again for `seconds`, spread evenly over the app
 * instances (all on one Redis); first checks that a session made on one instance is signed in
 * on the others.
 */
export async function measureRedisSignIns(options: {
  apps: readonly { url: string; pid: number }[];
  redisPid: number;
  users: number;
  seconds: number;
}): Promise<RedisSignIns> {
  const [first, ...others] = options.apps;
  if (first === undefined) throw new Error('no app instance');
  const signedIn = await signInOnce(first.url);
  for (const other of others) {
    const page = await fetch(`${other.url}/token_details`, {
      headers: { cookie: signedIn.cookie },
      redirect: 'manual',
    });
    if (!signedIn.ok || page.status !== 200 || !(await page.text()).includes('Alice Bench')) {
      throw new Error('A session made on one app instance is not signed in on another');
    }
  }
  const perInstance = Math.max(1, Math.round(options.users / options.apps.length));
  const redisBefore = cpuMicros(options.redisPid);
  const measured = await Promise.all(
    options.apps.map((app) =>
      loadSignIns({ appUrl: app.url, pid: app.pid, users: perInstance, seconds: options.seconds }),
    ),
  );
  const redisCpu = cpuMicros(options.redisPid) - redisBefore;
  const perSecond = measured.reduce((sum, m) => sum + m.perSecond, 0);
  // Each instance's CPU per sign-in, weighted by its share of the sign-ins (same window).
  const appCpu = measured.reduce((sum, m) => sum + (m.cpuMicrosPerOp ?? 0) * m.perSecond, 0);
  const p99s = measured.map((m) => m.p99Ms).filter((p): p is number => p !== null);
  return {
    instances: options.apps.length,
    users: perInstance * options.apps.length,
    perSecond,
    p99Ms: p99s.length > 0 ? Math.max(...p99s) : null,
    failures: measured.reduce((sum, m) => sum + m.failures, 0),
    appCpuMicrosPerSignIn: perSecond > 0 ? appCpu / perSecond : null,
    redisCpuMicrosPerSignIn: perSecond > 0 ? redisCpu / (perSecond * options.seconds) : null,
  };
}

async function usedMemory(admin: RedisClientType): Promise<number> {
  const info = await admin.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? Number.NaN);
}

// The session's hash, and its person's and provider session's sorted sets: each copy is its own
// person and provider session, so each index holds this one session and is all its share.
async function sessionMemory(admin: RedisClientType, copy: SessionCopy): Promise<number> {
  const { userKey, providerSid } = indexesOf(copy.session);
  const keys = [
    `${PREFIX}s:${copy.key}`,
    ...(userKey === null ? [] : [`${PREFIX}u:${userKey}`]),
    ...(providerSid === null ? [] : [`${PREFIX}p:${providerSid}`]),
  ];
  let bytes = 0;
  for (const key of keys) {
    const usage = await admin.memoryUsage(key, { SAMPLES: 0 });
    if (usage === null) throw new Error(`Redis has no ${key}: has the store's key layout changed?`);
    bytes += usage;
  }
  return bytes;
}
