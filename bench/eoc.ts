/**
 * express-openid-connect side by side (issue 13): bench/eoc-app.ts measured by the app's own
 * scenarios in the same run (page-auth, page-anon, login), and its peak RSS, compared with the
 * app's figures.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { memoryMiB, startNode } from './processes.js';
import { loadPage, loadSignIns, signInOnce, type Measurement } from './scenarios.js';

/** What eoc's app measured. */
export interface EocFigures {
  readonly pageAuth: Measurement;
  readonly pageAnon: Measurement;
  readonly login: Measurement;
  readonly peakRssMiB: number;
}

/** The app's side of the comparison, from the same run. */
export interface AppFigures {
  readonly pageAuth: Measurement | undefined;
  readonly pageAnon: Measurement | undefined;
  readonly login: Measurement | undefined;
  readonly peakRssMiB: number;
}

/** The two sides, as the report compares them. */
export interface EocComparison {
  readonly app: AppFigures;
  readonly eoc: EocFigures;
  readonly loginUsers: number;
}

const SIGN_IN_PATH = '/login';

/** The app's side, from its scenarios' results and its peak RSS once they ran. */
export function appFiguresOf(results: readonly Measurement[], peakRssMiB: number): AppFigures {
  const find = (name: string) => results.find((r) => r.name === name);
  return {
    pageAuth: find('page-auth'),
    pageAnon: find('page-anon'),
    login: find('login'),
    peakRssMiB,
  };
}

/**
 * Starts bench/eoc-app.ts at `baseUrl` (whose `/callback` the provider accepts for `clientId`),
 * checks one sign-in, warms it up, and runs the scenarios.
 */
export async function measureEoc(options: {
  baseUrl: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  pageBytes: number;
  homeBytes: number;
  connections: number;
  loginUsers: number;
  seconds: number;
  warmUpSeconds: number;
}): Promise<EocFigures> {
  const { baseUrl, connections, seconds } = options;
  const { child } = await startNode(fileURLToPath(new URL('./eoc-app.js', import.meta.url)), {
    readyUrl: `${baseUrl}/`,
    env: {
      NODE_ENV: 'production',
      PORT: new URL(baseUrl).port,
      BASE_URL: baseUrl,
      ISSUER: options.issuer,
      CLIENT_ID: options.clientId,
      CLIENT_SECRET: options.clientSecret,
      SESSION_SECRET: randomBytes(32).toString('base64url'),
      PAGE_BYTES: String(options.pageBytes),
      HOME_BYTES: String(options.homeBytes),
    },
  });
  try {
    const outcome = await signInOnce(baseUrl, SIGN_IN_PATH);
    if (!outcome.ok) throw new Error(`eoc: a sign-in failed (status ${outcome.status})`);
    const signIns = { appUrl: baseUrl, pid: child.pid, users: options.loginUsers };
    const claims = { url: `${baseUrl}/token_details`, pid: child.pid, connections };
    const cookie = outcome.cookie;
    await loadSignIns({ ...signIns, seconds: options.warmUpSeconds, signInPath: SIGN_IN_PATH });
    await loadPage('warm-up', { ...claims, cookie, seconds: options.warmUpSeconds });
    const pageAuth = await loadPage('eoc page-auth', { ...claims, cookie, seconds });
    const pageAnon = await loadPage('eoc page-anon', {
      url: `${baseUrl}/`,
      pid: child.pid,
      connections,
      seconds,
    });
    const login = await loadSignIns({
      ...signIns,
      seconds,
      signInPath: SIGN_IN_PATH,
      name: 'eoc login',
    });
    return { pageAuth, pageAnon, login, peakRssMiB: memoryMiB(child.pid).peak };
  } finally {
    await child.stop();
  }
}

function failures(side: AppFigures | EocFigures): string {
  return [side.pageAuth, side.pageAnon, side.login].map((m) => m?.failures ?? '–').join(', ');
}

/** The issue-13 targets against eoc: entra-signin's rate ÷ eoc's. */
export const EOC_TARGETS = { pageAuthRate: 5, loginRate: 1.5 } as const;

/** The comparison's table: each figure for both, the ratio, and the target where there is one. */
export function renderEocTable(comparison: EocComparison): string {
  const { app, eoc, loginUsers } = comparison;
  const fixed = (value: number | null | undefined, digits: number) =>
    value === null || value === undefined ? '–' : value.toFixed(digits);
  const ratio = (a: number | null | undefined, b: number | null | undefined) =>
    a === null || a === undefined || b === null || b === undefined || b === 0 ? null : a / b;
  const row = (
    label: string,
    a: number | null | undefined,
    b: number | null | undefined,
    digits: number,
    target?: number,
  ) => {
    const r = ratio(a, b);
    const verdict =
      target === undefined
        ? ''
        : (r ?? 0) >= target
          ? `≥ ${target}×: met`
          : `≥ ${target}×: **missed**`;
    return `| ${label} | ${fixed(a, digits)} | ${fixed(b, digits)} | ${r === null ? '–' : `${r.toFixed(2)}×`} | ${verdict} |`;
  };
  return [
    '| against express-openid-connect, in this run | entra-signin (the app) | eoc | entra-signin ÷ eoc | issue 13 target |',
    '| --- | ---: | ---: | ---: | --- |',
    row(
      'signed-in claims page, req/s',
      app.pageAuth?.perSecond,
      eoc.pageAuth.perSecond,
      0,
      EOC_TARGETS.pageAuthRate,
    ),
    row(
      'app CPU per claims page, µs',
      app.pageAuth?.cpuMicrosPerOp,
      eoc.pageAuth.cpuMicrosPerOp,
      0,
    ),
    row(
      'home page (no cookie), app CPU µs',
      app.pageAnon?.cpuMicrosPerOp,
      eoc.pageAnon.cpuMicrosPerOp,
      0,
    ),
    row(
      `complete sign-ins/s, ${loginUsers} users`,
      app.login?.perSecond,
      eoc.login.perSecond,
      0,
      EOC_TARGETS.loginRate,
    ),
    row('app CPU per complete sign-in, µs', app.login?.cpuMicrosPerOp, eoc.login.cpuMicrosPerOp, 0),
    row('peak RSS after the run, MiB', app.peakRssMiB, eoc.peakRssMiB, 0),
    `| failures (claims page, home page, sign-ins) | ${failures(app)} | ${failures(eoc)} | | |`,
  ].join('\n');
}
