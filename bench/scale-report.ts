/** The scale and memory rows of the bench's tables (bench/report.ts). */
import type { AppMemory, RedisFigures } from './scale-steps.js';
import type { SqliteScale } from './session-scale.js';

/** What the scale steps measured, as bench/report.ts gets it. */
export interface ScaleFigures {
  readonly memory: AppMemory;
  readonly sqlite: SqliteScale & { sessions: number };
  readonly redis: RedisFigures;
}

/** A target row: what it asks, what was measured, whether it was met. */
export type TargetRow = [string, string, boolean];

const fixed = (value: number | null, digits: number) =>
  value === null ? '–' : value.toFixed(digits);
const mib = (value: number) => `${value.toFixed(0)} MiB`;
const count = (value: number) => value.toLocaleString('en');

/** How much more RSS the second of the repeated runs left than it found (MiB). */
export function secondRunGrowth(memory: AppMemory): number {
  const second = memory.repeated.runs[1];
  return second === undefined ? Number.NaN : second.after - second.before;
}

/** The rows of the "scale" table: memory, SQLite and Redis. */
export function renderScaleRows(figures: ScaleFigures, seconds: number): string[] {
  const { memory, sqlite, redis } = figures;
  const runs = memory.repeated.runs
    .map(
      (run, i) =>
        `run ${i + 1}: ${mib(run.before)} → ${mib(run.after)} (${signed(run.after - run.before)})`,
    )
    .join('; ');
  const many = memory.many;
  const signIns = redis.signIns.map(
    (m) =>
      `| login on one Redis, ${m.instances} app instance${m.instances === 1 ? '' : 's'} (${m.users} users): sign-ins/s, p99, app / Redis CPU per sign-in | ${m.perSecond.toFixed(0)}/s, ${fixed(m.p99Ms, 1)} ms, ${fixed(m.appCpuMicrosPerSignIn, 0)} µs / ${fixed(m.redisCpuMicrosPerSignIn, 0)} µs (${m.failures} failures) |`,
  );
  return [
    `| app peak RSS (VmHWM) after every scenario above | ${mib(memory.scenariosPeakMiB)} |`,
    `| a fresh app, page-auth then login (${seconds} s each), twice: RSS before → after each run, peak | ${runs}; peak ${mib(memory.repeated.peak)} (${memory.repeated.failures} failures) |`,
    `| a fresh app, GET /token_details ${count(many.sessions)} times with one session (control), then once with each of ${count(many.sessions)} sessions in its SQLite store: RSS before → peak after the control → peak, after | ${mib(many.before)} → ${mib(many.controlPeak)} → ${mib(many.peak)}, ${mib(many.after)} after (the sessions: ${signed(many.peak - many.controlPeak)}; ${many.failures} non-200) |`,
    `| SQLite: bytes per session (file pages / sessions, indexes and token record included), ${count(sqlite.sessions)} sessions | ${sqlite.bytesPerSession.toFixed(0)} B (file ${sqlite.fileMiB.toFixed(0)} MiB) |`,
    `| SQLite store get() at ${count(sqlite.sessions)} sessions, p50 / p99 | ${fixed(sqlite.p50Ms, 3)} ms / ${fixed(sqlite.p99Ms, 3)} ms |`,
    `| Redis: bytes per session (MEMORY USAGE of its hash, person and sid index entries), ${count(redis.sessions)} sessions | ${redis.scale.bytesPerSession.toFixed(0)} B (used_memory: ${redis.scale.usedBytesPerSession.toFixed(0)} B per session, ${mib(redis.scale.usedMiB)} in all) |`,
    `| Redis store get() at ${count(redis.sessions)} sessions, p50 / p99 | ${fixed(redis.scale.p50Ms, 3)} ms / ${fixed(redis.scale.p99Ms, 3)} ms |`,
    ...signIns,
  ];
}

/** The memory targets of issues 4 and 13. */
export function scaleTargets(figures: ScaleFigures): TargetRow[] {
  const { memory } = figures;
  // What the sessions cost beyond what as many requests with one session cost (the control).
  const growth = memory.many.peak - memory.many.controlPeak;
  const second = secondRunGrowth(memory);
  return [
    [
      'peak RSS after the run ≤ 150 MiB (issue 13)',
      mib(memory.scenariosPeakMiB),
      memory.scenariosPeakMiB <= 150,
    ],
    [
      'RSS flat across a second identical run (within 5 MiB; issue 13)',
      `${signed(second)} (first run ${signed(firstRunGrowth(memory))})`,
      second <= 5,
    ],
    [
      `RSS growth 0 → ${count(memory.many.sessions)} sessions < 50 MB (issue 4 asks 100,000)`,
      `${signed(growth)} beyond the control (${mib(memory.many.controlPeak - memory.many.before)}), ${memory.many.failures} non-200`,
      growth * 2 ** 20 < 50e6 && memory.many.failures === 0,
    ],
  ];
}

function firstRunGrowth(memory: AppMemory): number {
  const first = memory.repeated.runs[0];
  return first === undefined ? Number.NaN : first.after - first.before;
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(1)} MiB`;
}
