/**
 * Stopping cleanly behind nginx (issue 14): nginx terminating TLS (docs/nginx.conf, on free
 * ports) in front of two app processes sharing a SQLite file and one `npm run dev-idp`, with
 * people signing in, loading pages and posting forms through nginx when one instance gets
 * SIGTERM. What the instance had taken is answered in full; nginx takes the rest to the other
 * instance (a refused connection is tried on the next one, a POST too, since none of it was sent);
 * the stopped process exits 0 within SHUTDOWN_TIMEOUT, and the other carries on alone.
 *
 * nginx reads a request's whole body before it picks an instance (proxy_request_buffering), so a
 * POST half-sent to nginx is at no instance yet: the one held half-sent inside the stopping
 * instance is written to it directly. The requests nginx forwarded that the instance holds across
 * the signal are sign-ins coming back, kept waiting for the provider's token by stopping the
 * provider (SIGSTOP) for that time.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  buildStandalone,
  startStandalone,
  type StandaloneProcess,
} from '../dev-idp/standalone-process.js';
import { buildServer, signInThrough, signOutThrough } from '../support/app-process.js';
import { findFreePort } from '../support/free-port.js';
import { NGINX_UPSTREAM_ADDRESS, startNginx, type Nginx } from '../support/nginx.js';
import { findForms, type UserAgent } from '../support/user-agent.js';
import { HeldRequest, requestText } from './held-request.js';
import {
  accessEntries,
  holdOverTls,
  PostGate,
  ProxiedAgent,
  type ProxiedRecord,
} from './proxied-agent.js';
import { startServerProcess, tryConnect, type ServerProcess } from './server-process.js';

const FORM = 'application/x-www-form-urlencoded';
const SHUTDOWN_TIMEOUT_MS = 8_000;
// Long enough for the stopping instance to have taken the connections nginx opened to it.
const ACCEPTED_MARGIN_MS = 500;

/** Takes `agent` through the provider's sign-in and returns where it sends the browser back. */
async function providerAnswer(agent: UserAgent, origin: string): Promise<string> {
  const start = await agent.get(`${origin}/auth/sign_in`, { follow: false });
  const loginPage = await agent.get(start.headers.get('location') ?? '');
  const form = findForms(loginPage.body)[0];
  if (form === undefined) throw new Error(`No login form at ${loginPage.url}`);
  let page = await agent.post(
    new URL(form.action, loginPage.url).href,
    { ...form.hidden, username: 'alice@contoso.test', password: 'Passw0rd!' },
    { follow: false },
  );
  for (let hop = 0; hop < 10; hop += 1) {
    const next = new URL(page.headers.get('location') ?? '', page.url);
    if (next.origin === origin) return next.href;
    page = await agent.request('GET', next.href);
  }
  throw new Error('The provider did not send the browser back');
}

/** The sign-out form of a person signed in through `origin`, as a raw request to `port`. */
async function signOutRequest(agent: UserAgent, origin: string, port: number, close = false) {
  const page = await agent.get(`${origin}/auth/sign_out`);
  const form = `csrf_token=${encodeURIComponent(findForms(page.body)[0]?.hidden['csrf_token'] ?? '')}`;
  const headers = { Cookie: await agent.jar.getCookieString(origin), 'Content-Type': FORM };
  const text = requestText(
    'POST',
    '/auth/sign_out',
    port,
    { ...headers, Origin: origin, ...(close ? { Connection: 'close' } : {}) },
    form,
  );
  return { text, halfOfBody: form.slice(form.length / 2) };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`Not so within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const running: (() => unknown)[] = [];
let nginx: Nginx;
let idp: StandaloneProcess;
let stopping: ServerProcess;
let staying: ServerProcess;

beforeAll(async () => {
  const [server, standalone] = [await buildServer(), await buildStandalone()];
  const scratch = mkdtempSync(join(tmpdir(), 'entra-signin-nginx-shutdown-'));
  running.push(() => rmSync(scratch, { recursive: true, force: true }));
  const nginxPort = await findFreePort();
  const appPorts = [await findFreePort(), await findFreePort()] as const;
  const publicUrl = `https://localhost:${nginxPort}`;
  idp = await startStandalone(standalone, {
    cwd: scratch,
    env: { DEV_IDP_PORT: String(await findFreePort()), BASE_URL: publicUrl },
  });
  running.push(() => idp.stop());
  // A provider left stopped by a failed test must run again to take its SIGTERM.
  running.push(() => process.kill(idp.pid, 'SIGCONT'));
  // The settings of docs/nginx.conf's deployment: only PORT differs between the instances.
  const shared = {
    ...idp.settings,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    BASE_URL: publicUrl,
    TRUST_PROXY: NGINX_UPSTREAM_ADDRESS,
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    SESSION_STORE: `sqlite:${join(scratch, 'sessions.db')}`,
    SHUTDOWN_TIMEOUT: `${SHUTDOWN_TIMEOUT_MS}ms`,
  };
  stopping = await startServerProcess(server, appPorts[0], shared);
  running.push(() => stopping.cleanUp());
  staying = await startServerProcess(server, appPorts[1], shared);
  running.push(() => staying.cleanUp());
  nginx = await startNginx(nginxPort, appPorts);
  running.push(() => nginx.close());
}, 120_000);
afterAll(async () => {
  for (const step of running.splice(0).reverse()) {
    try {
      await step();
    } catch {
      // Already stopped.
    }
  }
});

it('on SIGTERM to one of two instances behind nginx, answers what it took, and the other carries on', async () => {
  const origin = nginx.url;
  const records: ProxiedRecord[] = [];
  const gate = new PostGate();
  const agents: ProxiedAgent[] = [];
  running.push(() => agents.forEach((agent) => agent.close()));
  const newAgent = () => {
    const agent = new ProxiedAgent(origin, records, gate);
    agents.push(agent);
    return agent;
  };
  const failures: string[] = [];
  let busy = true;
  // A failed test stops everyone, and lets no POST wait at the gate.
  running.push(() => {
    busy = false;
    gate.open();
  });

  // People who sign in, load pages and sign out with the form, over and over; and people who
  // stay signed in, reading pages and posting a form, needing no provider.
  const signingIn = Array.from({ length: 3 }, async () => {
    const agent = newAgent();
    while (busy) {
      const home = await signInThrough(agent, origin);
      if (!home.body.includes('signed in, Alice Example')) throw new Error(`Not in: ${home.url}`);
      await agent.get(`${origin}/token_details`);
      await agent.get(`${origin}/static/app.css`);
      await signOutThrough(agent, origin);
    }
  });
  const reading = ['bob@contoso.test', 'carol@contoso.test'].map(async (username) => {
    const agent = newAgent();
    const loginPage = await agent.get(`${origin}/auth/sign_in`);
    await agent.submitForm(loginPage, { username, password: 'Passw0rd!' });
    while (busy) {
      await agent.get(`${origin}/token_details`);
      const sessions = await agent.get(`${origin}/sessions`);
      const csrf = findForms(sessions.body)[0]?.hidden['csrf_token'] ?? '';
      await agent.post(`${origin}/sessions/end_others`, { csrf_token: csrf });
    }
  });
  const people = [...signingIn, ...reading].map((person) =>
    person.catch((error: unknown) => failures.push(String(error))),
  );
  const answered = (path: string, after = 0) =>
    records.some((r) => r.path === path && r.status === 303 && r.at > after);
  const posted = () => records.filter((r) => r.method === 'POST' && r.status === 303).length;
  await until(() => posted() >= 8 || failures.length > 0, 20_000);

  // At the stopping instance itself: a sign-out form with half its body, a page with part of
  // its headers (not routed yet). At nginx: another sign-out form with half its body.
  const [leaving, reader, alsoLeaving] = [newAgent(), newAgent(), newAgent()];
  for (const agent of [leaving, reader, alsoLeaving]) await signInThrough(agent, origin);
  const signOut = await signOutRequest(leaving, origin, stopping.port);
  const pageRequest = requestText('GET', '/token_details', stopping.port, {
    Cookie: await reader.jar.getCookieString(origin),
    Accept: 'text/html',
  });
  const atInstance = {
    signOut: await HeldRequest.open(stopping.port, signOut.text, signOut.halfOfBody),
    page: await HeldRequest.open(stopping.port, pageRequest, 'Accept: text/html'),
  };
  const proxiedSignOut = await signOutRequest(alsoLeaving, origin, nginx.port, true);
  const atNginx = await holdOverTls(nginx.port, proxiedSignOut.text, proxiedSignOut.halfOfBody);
  running.push(() => atNginx.destroy());

  // Sign-ins coming back from the provider through nginx while it is stopped: round robin gives
  // each instance some, and there each waits for the provider's token.
  const returning = [newAgent(), newAgent(), newAgent(), newAgent()];
  const answers = await Promise.all(returning.map((agent) => providerAnswer(agent, origin)));
  process.kill(idp.pid, 'SIGSTOP');
  const completions = returning.map((agent, i) => agent.get(answers[i] ?? '', { follow: false }));
  await new Promise((resolve) => setTimeout(resolve, ACCEPTED_MARGIN_MS));

  // No POST is on its way at the signal itself: one that reaches the instance's accept queue as
  // the listener closes is reset by the kernel, unseen by the app, and nginx, which never sends
  // a POST twice, answers 502. GETs keep going (nginx sends those again to the other instance).
  gate.shut();
  await until(() => gate.underWay === 0, 5_000);
  const signalledAt = performance.now();
  stopping.child.kill('SIGTERM');
  await stopping.logged('shutting down');
  await until(async () => (await tryConnect(stopping.port)) === 'ECONNREFUSED', 2_000);
  gate.open();
  process.kill(idp.pid, 'SIGCONT');
  expect(stopping.child.exitCode).toBeNull();

  for (const completion of await Promise.all(completions)) {
    expect(completion.status).toBe(303);
    expect(completion.headers.get('location')).toBe('/');
    expect(completion.headers.getSetCookie().join()).toMatch(/__Host-entra-signin=[^;]+/);
  }
  const [signedOut, page] = await Promise.all([
    atInstance.signOut.finish(),
    atInstance.page.finish(),
  ]);
  expect(signedOut.status).toBe(303);
  expect(signedOut.headers['location']?.[0]).toMatch(/\/session\/end\?/);
  expect(signedOut.headers['set-cookie']?.join()).toMatch(/__Host-entra-signin=;/);
  expect(page.status).toBe(200);
  expect(page.body).toContain('Alice Example');
  const signedOutThroughNginx = await atNginx.finish();
  expect(signedOutThroughNginx.status).toBe(303);
  expect(signedOutThroughNginx.location).toMatch(/\/session\/end\?/);

  const exit = await stopping.exited;
  expect(exit.code).toBe(0);
  expect(exit.at - signalledAt).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
  expect(stopping.lines.map((line) => line.msg)).toContain('stopped');

  // With the instance gone, people keep signing in and out through nginx, at the other one.
  await until(
    () =>
      (answered('/auth/redirect', exit.at) && answered('/auth/sign_out', exit.at)) ||
      failures.length > 0,
    15_000,
  );
  busy = false;
  await Promise.all(people);
  expect(failures).toEqual([]);
  // Not one request through nginx failed: no 502 or 504, no POST lost, no session lost.
  const failed = records.filter(
    (r) => r.error !== null || ![200, 302, 303].includes(r.status ?? 0),
  );
  expect(failed).toEqual([]);
  expect(records.some((r) => r.at > signalledAt && r.at < exit.at && r.status === 200)).toBe(true);
  expect(staying.child.exitCode).toBeNull();

  const entries = accessEntries(nginx.accessLog());
  expect(entries.filter((e) => e.status >= 500).map((e) => e.line)).toEqual([]);
  // The stopping instance had some of the waiting sign-ins from nginx, and completed them.
  const stoppingAddress = `127.0.0.1:${stopping.port}`;
  const waited = entries.filter((e) => answers.some((answer) => answer.endsWith(e.target)));
  expect(waited.map((e) => e.status)).toEqual([303, 303, 303, 303]);
  expect(waited.some((e) => e.upstreams.at(-1) === stoppingAddress)).toBe(true);
  // What nginx tried at the stopped instance, it took to the other one.
  const triedAgain = entries.filter((e) => e.upstreams.length > 1);
  expect(triedAgain.every((e) => e.upstreams.at(-1) === `127.0.0.1:${staying.port}`)).toBe(true);
}, 40_000);
