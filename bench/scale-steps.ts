/**
 * The bench's memory and Redis steps, each on app processes of its own: the same load twice on
 * one process, many sessions in the SQLite store, and the app on Redis (one instance and two).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Child } from './processes.js';
import { measureRepeatedRuns, type RepeatedRuns } from './memory-runs.js';
import {
  measureRedisScale,
  measureRedisSignIns,
  type RedisScale,
  type RedisSignIns,
} from './redis-scale.js';
import { startBenchRedis } from './redis-server.js';
import { loadSignIns } from './scenarios.js';
import type { SessionSample } from './session-sample.js';
import { measureManySessions, type ManySessionsMemory } from './session-scale.js';
import { signInMany } from './session-setup.js';

/** An app started on another port, or with other settings: env over the bench's defaults. */
export interface AppInstance {
  readonly url: string;
  readonly env: Readonly<Record<string, string>>;
}

/** What the steps need of the bench (bench/run.ts). */
export interface ScaleContext {
  readonly appUrl: string;
  /** Where the app instances on one Redis listen (the provider knows their redirect URIs). */
  readonly redisAppUrls: readonly string[];
  readonly work: string;
  readonly connections: number;
  readonly loginUsers: number;
  readonly seconds: number;
  startApp(dir: string, withProfile: boolean, instance?: AppInstance): Promise<Child>;
  step(text: string): void;
}

/** The app's memory: its peak in the measured run, the same load twice, many sessions. */
export interface AppMemory {
  /** VmHWM of the app that ran every scenario, after them. */
  readonly scenariosPeakMiB: number;
  readonly repeated: RepeatedRuns;
  readonly many: ManySessionsMemory;
}

/** The Redis figures. */
export interface RedisFigures {
  readonly sessions: number;
  readonly scale: RedisScale;
  /** One instance, then two, on one Redis. */
  readonly signIns: readonly RedisSignIns[];
}

/** The memory steps, each on a fresh app on SQLite. */
export async function measureAppMemory(
  context: ScaleContext,
  options: { sample: SessionSample; sessions: number; scenariosPeakMiB: number },
): Promise<AppMemory> {
  context.step('memory: page-auth then login, twice, on one fresh app: RSS before and after each');
  const fresh = await context.startApp(join(context.work, 'memory-runs'), false);
  const [cookie = ''] = await signInMany(context.appUrl, 1);
  const repeated = await measureRepeatedRuns({
    appUrl: context.appUrl,
    pid: fresh.pid,
    cookie,
    connections: context.connections,
    users: context.loginUsers,
    seconds: context.seconds,
    runs: 2,
  });
  await fresh.stop();

  context.step(
    `memory: a fresh app, GET /token_details ${options.sessions.toLocaleString('en')} times ` +
      'with one session, then once with each of as many sessions in its store',
  );
  const dir = join(context.work, 'memory-sessions');
  const secret = randomBytes(32).toString('base64url');
  const app = await context.startApp(dir, false, {
    url: context.appUrl,
    env: { SESSION_SECRET: secret },
  });
  const [signedIn = ''] = await signInMany(context.appUrl, 1);
  const many = await measureManySessions({
    appUrl: context.appUrl,
    pid: app.pid,
    dbFile: join(dir, 'sessions.db'),
    sample: options.sample,
    secret,
    cookie: signedIn,
    cookieName: signedIn.slice(0, signedIn.indexOf('=')),
    count: options.sessions,
  });
  await app.stop();
  return { scenariosPeakMiB: options.scenariosPeakMiB, repeated, many };
}

/**
 * A private redis-server: sessions like the app's, `sessions` of them, through the library's
 * store; then the app on it, one instance with every login user, and two with half each.
 */
export async function measureRedis(
  context: ScaleContext,
  options: { sample: SessionSample; sessions: number },
): Promise<RedisFigures> {
  const redis = await startBenchRedis();
  const apps: Child[] = [];
  try {
    context.step(
      `redis: ${options.sessions.toLocaleString('en')} sessions like the app's (token record ` +
        'included) through the store: MEMORY USAGE, get() look-ups',
    );
    const scale = await measureRedisScale({
      url: redis.url,
      sample: options.sample,
      count: options.sessions,
      lookups: 20_000,
    });
    const secret = randomBytes(32).toString('base64url');
    for (const [i, url] of context.redisAppUrls.entries()) {
      const env = { SESSION_STORE: redis.url, SESSION_SECRET: secret };
      apps.push(await context.startApp(join(context.work, `redis-${i}`), false, { url, env }));
    }
    const instances = context.redisAppUrls.map((url, i) => ({ url, pid: apps[i]?.pid ?? 0 }));
    context.step('redis: warm-up, each instance');
    await Promise.all(
      instances.map((app) => loadSignIns({ appUrl: app.url, pid: app.pid, users: 4, seconds: 2 })),
    );
    const signIns: RedisSignIns[] = [];
    for (const count of [1, instances.length]) {
      context.step(
        `redis: login, ${context.loginUsers} virtual users over ${count} app instance(s) on one Redis`,
      );
      signIns.push(
        await measureRedisSignIns({
          apps: instances.slice(0, count),
          redisPid: redis.pid,
          users: context.loginUsers,
          seconds: context.seconds,
        }),
      );
    }
    return { sessions: options.sessions, scale, signIns };
  } finally {
    await Promise.allSettled(apps.map((app) => app.stop()));
    await redis.stop();
  }
}
