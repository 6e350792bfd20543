/** Turns the benchmark's measurements into the printed table and bench/RESULTS.md. */
import { cpus, release, totalmem } from 'node:os';
import { writeFileSync } from 'node:fs';
import type { Measurement } from './scenarios.js';
import type { MemoryGrowth } from './session-scale.js';

/** Everything one run of the benchmark measured. */
export interface BenchReport {
  readonly results: Measurement[];
  readonly memory: { sessions: MemoryGrowth; control: MemoryGrowth; count: number };
  readonly sqlite: {
    p50Ms: number | null;
    p99Ms: number | null;
    fileMiB: number;
    sessions: number;
  };
  readonly settings: {
    seconds: number;
    connections: number;
    loginUsers: number;
    pageBytes: number;
    quick: boolean;
    apiScopes: string;
  };
  readonly profile: string[];
}

const fixed = (value: number | null, digits: number) =>
  value === null ? '–' : value.toFixed(digits);

const growthOf = (m: MemoryGrowth) => m.peak - m.before;

/** The results as a Markdown table, with each rate's ratio to the baseline. */
export function renderTable(report: BenchReport): string {
  const baseline = report.results.find((r) => r.name === 'baseline')?.perSecond ?? 0;
  const rows = report.results.map((r) => [
    r.name,
    r.perSecond.toFixed(0),
    baseline > 0 ? `${((100 * r.perSecond) / baseline).toFixed(1)} %` : '–',
    fixed(r.p50Ms, 2),
    fixed(r.p99Ms, 2),
    String(r.failures),
    fixed(r.cpuMicrosPerOp, 0),
  ]);
  const { sessions, control, count } = report.memory;
  const memoryRow = (label: string, m: MemoryGrowth) =>
    `| ${label} | ${m.before.toFixed(0)} → ${m.peak.toFixed(0)} MiB, ${m.after.toFixed(0)} MiB after (growth ${growthOf(m).toFixed(0)} MiB) |`;
  const lines = [
    '| scenario | req/s (login: sign-ins/s) | of baseline | p50 ms | p99 ms | failures | server CPU µs per request (login: per sign-in) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
    '',
    ...report.results.flatMap((r) => (r.note === undefined ? [] : [`- ${r.name}: ${r.note}`])),
    ...(report.results.some((r) => r.note !== undefined) ? [''] : []),
    `| scale | figure |`,
    '| --- | ---: |',
    memoryRow(
      `app RSS before → peak, ${sessions.created.toLocaleString('en')} sign-ins started (GET /auth/sign_in; nothing stored since issue 10)`,
      sessions,
    ),
    memoryRow(
      `control: app RSS, ${count.toLocaleString('en')} requests creating no session (GET /)`,
      control,
    ),
    `| SQLite store get() at ${report.sqlite.sessions.toLocaleString('en')} sessions, p50 / p99 | ${fixed(report.sqlite.p50Ms, 3)} ms / ${fixed(report.sqlite.p99Ms, 3)} ms (file ${report.sqlite.fileMiB.toFixed(0)} MiB) |`,
  ];
  return lines.join('\n');
}

/** Each target of issue 4 with what was measured and whether it was met. */
export function renderTargets(report: BenchReport): string {
  const find = (name: string) => report.results.find((r) => r.name === name);
  const auth = find('page-auth');
  const login = find('login');
  const baseline = find('baseline')?.perSecond ?? 0;
  const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');
  const rows: [string, string, boolean][] = [
    [
      'page-auth: app CPU per request < 100 µs',
      `${fixed(auth?.cpuMicrosPerOp ?? null, 0)} µs`,
      (auth?.cpuMicrosPerOp ?? Infinity) < 100,
    ],
    [
      'page-auth: p99 < 10 ms at 32 connections',
      `${fixed(auth?.p99Ms ?? null, 2)} ms`,
      (auth?.p99Ms ?? Infinity) < 10,
    ],
    [
      'page-auth: ≥ 20 % of the baseline’s req/s',
      `${baseline > 0 ? ((100 * (auth?.perSecond ?? 0)) / baseline).toFixed(1) : '–'} %`,
      (auth?.perSecond ?? 0) >= 0.2 * baseline,
    ],
    ['page-auth: zero non-2xx', String(auth?.failures ?? '–'), auth?.failures === 0],
    [
      'login: app CPU per complete sign-in < 1 ms',
      `${fixed(login?.cpuMicrosPerOp ?? null, 0)} µs`,
      (login?.cpuMicrosPerOp ?? Infinity) < 1000,
    ],
    [
      'login: zero failures, ID token signature verified',
      `${login?.failures ?? '–'} failures; forged signature refused`,
      login?.failures === 0,
    ],
    [
      'RSS growth 0 → 100,000 sessions < 50 MB',
      `${growthOf(report.memory.sessions).toFixed(0)} MiB (control, no sessions: ${growthOf(report.memory.control).toFixed(0)} MiB)`,
      growthOf(report.memory.sessions) < 50,
    ],
    [
      'SQLite look-up p99 < 1 ms at 1,000,000 sessions',
      `${fixed(report.sqlite.p99Ms, 3)} ms`,
      (report.sqlite.p99Ms ?? Infinity) < 1,
    ],
  ];
  return [
    '| target | measured | |',
    '| --- | ---: | --- |',
    ...rows.map(([target, measured, ok]) => `| ${target} | ${measured} | ${verdict(ok)} |`),
  ].join('\n');
}

/** The whole of bench/RESULTS.md. */
export function renderResults(report: BenchReport): string {
  const cpu = cpus();
  const s = report.settings;
  return `# Benchmark results

The last run of \`npm run bench\` (written by it; see bench/run.ts). What limits the figures, and
what would move them: [bench/README.md](README.md).

- Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${release()}, Node.js ${process.version}
- Date: ${new Date().toISOString()}
- Command: \`npm run bench\`
- Set-up: the app built (\`dist/app/server.js\`) in its own process with \`NODE_ENV=production\`, \`LOG_LEVEL=${process.env['BENCH_LOG_LEVEL'] ?? 'info'}\` (JSON log lines to /dev/null), SQLite sessions and \`API_SCOPES=${s.apiScopes}\` (each sign-in leaves a sealed token record beside its session, as with Entra); the fast provider of bench/fast-idp.ts (signs in at once, RS256 ID tokens, a Graph access token and a refresh token) and the Graph fake of bench/fake-graph.ts (\`GRAPH_URL\`), each in another process; load from autocannon (pages, ${s.connections} connections, ${s.seconds} s each) and ${s.loginUsers} virtual users (login, ${s.seconds} s) in the bench process; all on loopback. Page size ${s.pageBytes} bytes (the signed-in claims page; the baseline serves as many).
- CPU per request is the app process's user + system time (/proc/PID/stat) over the scenario, divided by the requests (or complete sign-ins) it served. The provider's and the Graph fake's CPU time is not in it.
- A sign-in is GET /auth/sign_in → the provider's authorize endpoint → GET /auth/redirect (code exchange, ID token signature checked against the provider's keys) → GET /token_details answering 200. Before the run, the bench has the provider sign one ID token with an unpublished key and checks that the app refuses it.
- page-auth sends one session, which has its token record; page-auth-no-tokens sends another whose token record the bench removed from the store (the claims page must not read it, so the two should cost the same). profile sends ${s.connections} sessions, one per connection, whose Graph tokens are cached (they live an hour: no refresh during the run); each GET /profile calls Graph's /v1.0/me and /v1.0/me/photo/$value.

## Figures

${renderTable(report)}

## Against the targets of issue 4

${renderTargets(report)}
${report.profile.length > 0 ? `\n## Where the app's CPU time went (--profile)\n\n\`\`\`\n${report.profile.join('\n')}\n\`\`\`\n` : ''}`;
}

/** Writes bench/RESULTS.md. */
export function writeResults(file: string, text: string): void {
  writeFileSync(file, text);
}
