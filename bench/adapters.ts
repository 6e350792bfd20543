/**
 * The adapters' overhead (issue 13): the protected route of each example app (examples/express,
 * examples/fastify, examples/hono: `GET /token_details`), each run as it is in a child process,
 * signed in against the bench's provider (sessions in memory, the examples' default store),
 * against the same example with entra-signin replaced by a fake that does nothing
 * (bench/fake-entra-signin.ts, through bench/example-hooks.ts): the same framework, the same
 * route, the same page bytes (checked), none of the library. The difference in app CPU time per
 * request is what entra-signin costs an authenticated request.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNode, type Child } from './processes.js';
import { loadPage, signInOnce, type Measurement } from './scenarios.js';
import type { FakePerson } from './fake-entra-signin.js';

/** The examples, by the framework each is built on. */
export const ADAPTER_FRAMEWORKS = ['express', 'fastify', 'hono'] as const;
export type AdapterFramework = (typeof ADAPTER_FRAMEWORKS)[number];

/** What one framework measured, with and without entra-signin. */
export interface AdapterRow {
  readonly framework: AdapterFramework;
  readonly withSignIn: Measurement;
  readonly without: Measurement;
  /** App CPU µs per request with entra-signin minus without. */
  readonly overheadMicros: number | null;
  readonly pageBytes: number;
}

/** The target of issue 13 for the overhead per authenticated request, in µs of CPU. */
export const ADAPTER_OVERHEAD_TARGET_MICROS = 25;

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const HOOKS = fileURLToPath(new URL('./example-hooks.js', import.meta.url));

/**
 * Measures every example at `baseUrl` (whose `/auth/redirect` the provider at `authority`
 * accepts for `clientId`), one process at a time: signed in, then the fake.
 */
export async function measureAdapters(options: {
  baseUrl: string;
  authority: string;
  clientId: string;
  clientSecret: string;
  connections: number;
  seconds: number;
  warmUpSeconds: number;
}): Promise<AdapterRow[]> {
  const rows: AdapterRow[] = [];
  for (const framework of ADAPTER_FRAMEWORKS) {
    const real = await startExample(framework, options, null);
    let page: string;
    let withSignIn: Measurement;
    try {
      const outcome = await signInOnce(options.baseUrl);
      if (!outcome.ok) throw new Error(`${framework} example: sign-in failed (${outcome.status})`);
      page = await claimsPage(options.baseUrl, outcome.cookie);
      withSignIn = await load(`${framework} with entra-signin`, real, options, outcome.cookie);
    } finally {
      await real.stop();
    }
    const fake = await startExample(framework, options, personOf(page));
    let without: Measurement;
    try {
      if ((await claimsPage(options.baseUrl, '')) !== page) {
        throw new Error(`${framework} example without entra-signin answers another page`);
      }
      without = await load(`${framework} without`, fake, options, '');
    } finally {
      await fake.stop();
    }
    const overheadMicros =
      withSignIn.cpuMicrosPerOp === null || without.cpuMicrosPerOp === null
        ? null
        : withSignIn.cpuMicrosPerOp - without.cpuMicrosPerOp;
    rows.push({
      framework,
      withSignIn,
      without,
      overheadMicros,
      pageBytes: Buffer.byteLength(page),
    });
  }
  return rows;
}

// The example's own server.js, as `npm start` runs it, configured by its environment; with a
// person, entra-signin is the fake.
async function startExample(
  framework: AdapterFramework,
  options: { baseUrl: string; authority: string; clientId: string; clientSecret: string },
  person: FakePerson | null,
): Promise<Child> {
  const dir = join(ROOT, 'examples', framework);
  const { child } = await startNode(join(dir, 'server.js'), {
    cwd: dir,
    nodeArgs: ['--import', HOOKS],
    readyUrl: `${options.baseUrl}/`,
    env: {
      NODE_ENV: 'production',
      PORT: new URL(options.baseUrl).port,
      BASE_URL: options.baseUrl,
      AUTHORITY: options.authority,
      CLIENT_ID: options.clientId,
      CLIENT_SECRET: options.clientSecret,
      SESSION_SECRET: randomBytes(32).toString('base64url'),
      ...(person === null
        ? {}
        : { BENCH_ENTRA_SIGNIN: 'fake', BENCH_FAKE_PERSON: JSON.stringify(person) }),
    },
  });
  return child;
}

async function load(
  name: string,
  child: Child,
  options: { baseUrl: string; connections: number; seconds: number; warmUpSeconds: number },
  cookie: string,
): Promise<Measurement> {
  const target = {
    url: `${options.baseUrl}/token_details`,
    pid: child.pid,
    connections: options.connections,
    ...(cookie === '' ? {} : { cookie }),
  };
  await loadPage('warm-up', { ...target, seconds: options.warmUpSeconds });
  return loadPage(name, { ...target, seconds: options.seconds });
}

async function claimsPage(baseUrl: string, cookie: string): Promise<string> {
  const response = await fetch(`${baseUrl}/token_details`, {
    headers: cookie === '' ? {} : { cookie },
    redirect: 'manual',
  });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`GET /token_details: ${response.status} ${body}`);
  return body;
}

// What the examples' claims page shows (their `page()` and `claimsTable()`), read back: the
// person's name in the title, the sign-out form's CSRF token, a row per claim with its JSON.
function personOf(page: string): FakePerson {
  const name = /<title>ID token of (.*?)<\/title>/.exec(page)?.[1];
  const csrfToken = /name="csrf_token" value="([^"]*)"/.exec(page)?.[1];
  if (name === undefined || csrfToken === undefined) {
    throw new Error(`Not an example's claims page: ${page}`);
  }
  const rows = page.matchAll(/<tr><th>(.*?)<\/th><td>(.*?)<\/td><\/tr>/g);
  const claims = Object.fromEntries(
    [...rows].map(([, claim = '', json = '']) => [
      unescapeHtml(claim),
      JSON.parse(unescapeHtml(json)) as unknown,
    ]),
  );
  return { name: unescapeHtml(name), claims, csrfToken: unescapeHtml(csrfToken) };
}

function unescapeHtml(text: string): string {
  const entities: Record<string, string> = {
    '&lt;': '<',
    '&gt;': '>',
    '&quot;': '"',
    '&#39;': "'",
    '&amp;': '&',
  };
  return text.replace(/&(?:lt|gt|quot|#39|amp);/g, (entity) => entities[entity] ?? entity);
}

/** The adapters' table: CPU per authenticated request with and without entra-signin. */
export function renderAdapterTable(rows: readonly AdapterRow[]): string {
  const fixed = (value: number | null, digits: number) =>
    value === null ? '–' : value.toFixed(digits);
  return [
    `| adapters: CPU µs per authenticated request (GET /token_details) | page bytes | req/s with | req/s without | failures | with entra-signin | without | overhead (target ≤ ${ADAPTER_OVERHEAD_TARGET_MICROS}) | |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows
      .map((r) =>
        [
          `examples/${r.framework}`,
          String(r.pageBytes),
          r.withSignIn.perSecond.toFixed(0),
          r.without.perSecond.toFixed(0),
          String(r.withSignIn.failures + r.without.failures),
          fixed(r.withSignIn.cpuMicrosPerOp, 1),
          fixed(r.without.cpuMicrosPerOp, 1),
          fixed(r.overheadMicros, 1),
          (r.overheadMicros ?? Infinity) <= ADAPTER_OVERHEAD_TARGET_MICROS ? 'met' : '**missed**',
        ].join(' | '),
      )
      .map((line) => `| ${line} |`),
  ].join('\n');
}
