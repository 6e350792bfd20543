/** Turns the benchmark's measurements into the printed table and bench/RESULTS.md. */
import { cpus, release, totalmem } from 'node:os';
import { writeFileSync } from 'node:fs';
import type { Measurement } from './scenarios.js';
import { renderScaleRows, scaleTargets, type ScaleFigures } from './scale-report.js';
import { ADAPTER_OVERHEAD_TARGET_MICROS, renderAdapterTable, type AdapterRow } from './adapters.js';
import { renderEocTable, type EocComparison } from './eoc.js';
import type { StartTimes } from './start-time.js';

/** Everything one run of the benchmark measured. */
export interface BenchReport {
  readonly results: Measurement[];
  /** The app's memory, SQLite and Redis at scale (bench/scale-steps.ts). */
  readonly memory: ScaleFigures['memory'];
  readonly sqlite: ScaleFigures['sqlite'];
  readonly redis: ScaleFigures['redis'];
  readonly settings: {
    seconds: number;
    connections: number;
    loginUsers: number;
    pageBytes: number;
    quick: boolean;
    apiScopes: string;
  };
  readonly profile: string[];
  /** The examples with and without entra-signin (bench/adapters.ts). */
  readonly adapters: readonly AdapterRow[];
  /** express-openid-connect's app and the app, in the same run (bench/eoc.ts). */
  readonly eoc: EocComparison;
  /** `npm start` until its first answer (bench/start-time.ts). */
  readonly starts: StartTimes;
}

const fixed = (value: number | null, digits: number) =>
  value === null ? '–' : value.toFixed(digits);

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
  const lines = [
    '| scenario | req/s (login: sign-ins/s) | of baseline | p50 ms | p99 ms | failures | server CPU µs per request (login: per sign-in) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
    '',
    ...report.results.flatMap((r) => (r.note === undefined ? [] : [`- ${r.name}: ${r.note}`])),
    `- npm start (built, no tenant) until its first answer: ${report.starts.startsMs
      .map((ms) => `${(ms / 1000).toFixed(2)} s`)
      .join(', restarted ')}`,
    '',
    `| scale | figure |`,
    '| --- | ---: |',
    ...renderScaleRows(report, report.settings.seconds),
    '',
    renderAdapterTable(report.adapters),
    '',
    renderEocTable(report.eoc),
  ];
  return lines.join('\n');
}

/** Each target of issues 4 and 13 with what was measured and whether it was met. */
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
      'page-anon: app CPU per request ≤ 60 µs (issue 13)',
      `${fixed(find('page-anon')?.cpuMicrosPerOp ?? null, 0)} µs`,
      (find('page-anon')?.cpuMicrosPerOp ?? Infinity) <= 60,
    ],
    [
      '`npm start` (built, restarted) until the first answer ≤ 2 s (issue 13)',
      report.starts.startsMs.map((ms) => `${(ms / 1000).toFixed(2)} s`).join(', then '),
      (report.starts.startsMs.at(-1) ?? Infinity) <= 2_000,
    ],
    ...report.adapters.map((row): [string, string, boolean] => [
      `${row.framework}: entra-signin's overhead per authenticated request ≤ 25 µs (issue 13)`,
      `${fixed(row.overheadMicros, 1)} µs`,
      (row.overheadMicros ?? Infinity) <= ADAPTER_OVERHEAD_TARGET_MICROS,
    ]),
    ...scaleTargets(report),
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
- Adapters (bench/adapters.ts): each example of examples/ runs as it is (\`node server.js\`, \`NODE_ENV=production\`, sessions in memory, the examples' default store), signed in once against the provider; GET /token_details with that session, ${s.connections} connections, ${s.seconds} s after a warm-up. Then the same example with its \`entra-signin\` imports resolved to bench/fake-entra-signin.ts (routes and guards pass on, the same person; bench/example-hooks.ts), which answers the same bytes (checked): the same framework and route without the library. Overhead = the difference in app CPU per request.
- express-openid-connect (bench/eoc-app.ts): v2 in Express 5, code flow with PKCE and a client secret, its default session store (the encrypted, rolling \`appSession\` cookie), pages padded to the app's claims and home page sizes, measured by the same scenarios in the same run (a sign-in is GET /login → the provider → GET /callback → GET /token_details). The app's sign-ins do more: a SQLite session and a sealed token record (\`API_SCOPES\`) each; its peak RSS also covers page-auth-no-tokens and profile.
- Scale and memory (bench/scale-steps.ts): the sessions written at scale are copies of one the app stored after a real sign-in (its ID token and sealed token record included), each for another person and provider session. SQLite: rows written straight into the store's table, then \`get()\` through the store; bytes per session are the file's pages over the sessions. Redis: a private \`redis-server\` (no persistence), filled through the store's own \`set()\`; bytes per session are \`MEMORY USAGE\` of its hash and its person and sid index entries. The two-instance login runs two app processes (\`dist/app/server.js\`, same \`SESSION_SECRET\`, other ports) on that Redis, half the virtual users on each, after checking that a session made on one is signed in on the other. The memory runs each use a fresh app on SQLite.

## Figures

${renderTable(report)}

## Against the targets (issues 4 and 13; express-openid-connect's ratios are in its table above)

${renderTargets(report)}
${report.profile.length > 0 ? `\n## Where the app's CPU time went (--profile)\n\n\`\`\`\n${report.profile.join('\n')}\n\`\`\`\n` : ''}`;
}

/** Writes bench/RESULTS.md. */
export function writeResults(file: string, text: string): void {
  writeFileSync(file, text);
}
