/**
 * Stopping cleanly: the built app as its own process (`node dist/app/server.js`), a real SQLite
 * file and the development identity provider, with sign-ins, page loads and sign-out forms going
 * when SIGTERM comes. Requests the app had accepted are answered in full; new connections are
 * refused; the process exits 0 within SHUTDOWN_TIMEOUT, or 1 at that bound when a request hangs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildServer,
  signInThrough,
  signOutThrough,
  startSharedProvider,
  type SharedProvider,
} from '../support/app-process.js';
import { findFreePort } from '../support/free-port.js';
import { findForms, UserAgent } from '../support/user-agent.js';
import { FreshConnectionAgent, type AppRequestRecord } from './fresh-connection-agent.js';
import { HeldRequest, requestText } from './held-request.js';
import { startServerProcess, tryConnect, type ServerProcess } from './server-process.js';
import { undoAfterEach } from '../support/undo-after-each.js';

const FORM = 'application/x-www-form-urlencoded';
// A connection made this long before the signal has certainly been accepted by the app (its
// event loop takes connections every few milliseconds); one made closer to the signal may
// still wait in the kernel's backlog, which closing the listener resets.
const ACCEPTED_MARGIN_MS = 250;

let server: string;
beforeAll(async () => {
  server = await buildServer();
}, 180_000);

// What each test started, undone in reverse order whatever the test's outcome.
const cleanup = undoAfterEach();

/** A provider, a SQLite file and the app process, all removed after the test. */
async function startApp(env: Record<string, string> = {}): Promise<{
  app: ServerProcess;
  provider: SharedProvider;
  restart: () => Promise<ServerProcess>;
}> {
  const port = await findFreePort();
  const provider = await startSharedProvider([`http://localhost:${port}`]);
  cleanup.push(() => provider.idp.close());
  const dir = mkdtempSync(join(tmpdir(), 'entra-signin-shutdown-db-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const allEnv = { ...provider.env, SESSION_STORE: `sqlite:${join(dir, 'sessions.db')}`, ...env };
  const start = async () => {
    const app = await startServerProcess(server, port, allEnv);
    cleanup.push(() => app.cleanUp());
    return app;
  };
  return { app: await start(), provider, restart: start };
}

/**
 * Takes `agent` through the provider's sign-in up to its answer, and returns the redirect URI
 * the provider sends the browser back to, without going there.
 */
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

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`Not so within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Someone who signs in, loads pages and signs out with the form, over and over, until a request
 * to the app fails; resolves with that failure's code.
 */
async function busyPerson(origin: string, records: AppRequestRecord[]): Promise<string> {
  const agent = new FreshConnectionAgent(origin, records);
  try {
    for (;;) {
      await signInThrough(agent, origin);
      await agent.get(`${origin}/token_details`);
      await agent.get(`${origin}/static/app.css`);
      // The sign-out form, then the provider's confirmation (so the next sign-in asks again).
      await signOutThrough(agent, origin);
    }
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}

describe('on SIGTERM', () => {
  it('answers every request it accepted, refuses new connections and exits 0 in time', async () => {
    const { app, restart } = await startApp({ SHUTDOWN_TIMEOUT: '8s' });
    const { port, baseUrl: origin } = app;

    // Requests each under way when the signal comes, held half-sent so that they are.
    const reader = new UserAgent();
    await signInThrough(reader, origin);
    const leaving = new UserAgent();
    await signInThrough(leaving, origin);
    const csrf = findForms((await leaving.get(`${origin}/auth/sign_out`)).body)[0]?.hidden[
      'csrf_token'
    ];
    const returning = new UserAgent();
    const answer = new URL(await providerAnswer(returning, origin));
    const form = `csrf_token=${encodeURIComponent(csrf ?? '')}`;
    const held = {
      // Its headers came, its body has not: the handler waits for the body.
      signOut: await HeldRequest.open(
        port,
        requestText(
          'POST',
          '/auth/sign_out',
          port,
          {
            Cookie: await leaving.jar.getCookieString(origin),
            'Content-Type': FORM,
            Origin: origin,
          },
          form,
        ),
        form.slice(form.length / 2),
      ),
      // Half of their headers came: not even routed yet.
      page: await HeldRequest.open(
        port,
        requestText('GET', '/token_details', port, {
          Cookie: await reader.jar.getCookieString(origin),
          Accept: 'text/html',
        }),
        'Accept: text/html',
      ),
      signIn: await HeldRequest.open(
        port,
        requestText('GET', answer.pathname + answer.search, port, {
          Cookie: await returning.jar.getCookieString(answer.href),
          Accept: 'text/html',
        }),
        'Accept: text/html',
      ),
      readyz: await HeldRequest.open(
        port,
        requestText('GET', '/readyz', port, { Accept: 'application/json' }),
        'Accept: application/json',
      ),
    };

    const records: AppRequestRecord[] = [];
    const people = Array.from({ length: 4 }, () => busyPerson(origin, records));
    const signOuts = () =>
      records.filter((r) => r.method === 'POST' && r.outcome === 'complete').length;
    await until(() => signOuts() >= 6, 20_000);
    await new Promise((resolve) => setTimeout(resolve, ACCEPTED_MARGIN_MS));

    const signalledAt = performance.now();
    app.child.kill('SIGTERM');
    await app.logged('shutting down');
    // The listener is closed while the held requests keep the process running.
    await until(async () => (await tryConnect(port)) === 'ECONNREFUSED', 2_000);
    expect(app.child.exitCode).toBeNull();

    const [signOut, page, signIn, readyz] = await Promise.all([
      held.signOut.finish(),
      held.page.finish(),
      held.signIn.finish(),
      held.readyz.finish(),
    ]);
    expect(signOut.status).toBe(303);
    expect(signOut.headers['location']?.[0]).toMatch(/\/session\/end\?/);
    expect(signOut.headers['set-cookie']?.join()).toMatch(/entra-signin=;/);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Alice Example');
    expect(signIn.status).toBe(303);
    expect(signIn.headers['location']).toEqual(['/']);
    expect(signIn.headers['set-cookie']?.join()).toMatch(/entra-signin=[^;]+/);
    expect(readyz.status).toBe(503);
    expect(JSON.parse(readyz.body)).toMatchObject({ status: 'stopping' });
    for (const response of [signOut, page, signIn, readyz]) {
      expect(response.complete).toBe(true);
      // Each told its client the connection ends with it.
      expect(response.headers['connection']).toEqual(['close']);
    }

    // Each stopped at a refused connection (or one reset in the kernel's backlog, at the signal).
    for (const stoppedBy of await Promise.all(people)) {
      expect(['ECONNREFUSED', 'ECONNRESET']).toContain(stoppedBy);
    }
    const exit = await app.exited;
    expect(exit.code).toBe(0);
    expect(exit.at - signalledAt).toBeLessThan(8_000);
    expect(app.lines.map((line) => line.msg)).toContain('stopped');

    // Not one response was cut; what was accepted well before the signal was answered; what
    // came after met a closed port.
    expect(records.filter((r) => r.outcome === 'cut')).toEqual([]);
    const accepted = records.filter(
      (r) => r.connectedAt !== null && r.connectedAt < signalledAt - ACCEPTED_MARGIN_MS,
    );
    expect(accepted.filter((r) => r.outcome !== 'complete')).toEqual([]);
    expect(accepted.some((r) => r.method === 'POST' && r.path === '/auth/sign_out')).toBe(true);
    expect(accepted.some((r) => r.path === '/auth/redirect')).toBe(true);
    // Never connected: refused, or reset while still in the kernel's backlog when the listener
    // closed (the app never accepted it, so nothing of it was lost).
    for (const r of records.filter((r) => r.outcome === 'refused')) {
      expect(['ECONNREFUSED', 'ECONNRESET']).toContain(r.error);
    }
    expect(records.filter((r) => r.outcome === 'refused').length).toBeGreaterThanOrEqual(1);

    // What the drained requests wrote is in the SQLite file: the session of the sign-in that
    // finished during the drain is there, that of the sign-out is gone (the browser still
    // sends its old cookie).
    for (const cookie of signIn.headers['set-cookie'] ?? []) {
      await returning.jar.setCookie(cookie, answer.href);
    }
    const again = await restart();
    expect((await returning.get(`${again.baseUrl}/token_details`)).status).toBe(200);
    expect((await reader.get(`${again.baseUrl}/token_details`)).status).toBe(200);
    expect((await leaving.get(`${again.baseUrl}/token_details`)).status).toBe(401);
  }, 60_000);

  it('exits with 1 at SHUTDOWN_TIMEOUT when a request hangs past it', async () => {
    const { app } = await startApp({ SHUTDOWN_TIMEOUT: '1500ms' });
    const body = 'csrf_token=never-finished-form-body';
    // A form whose body never ends: the request stays under way for good.
    const hanging = await HeldRequest.open(
      app.port,
      requestText('POST', '/auth/sign_out', app.port, { 'Content-Type': FORM }, body),
      'never-finished',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const signalledAt = performance.now();
    app.child.kill('SIGTERM');
    const exit = await app.exited;
    expect(exit.code).toBe(1);
    expect(exit.at - signalledAt).toBeGreaterThanOrEqual(1_400);
    expect(exit.at - signalledAt).toBeLessThan(1_500 + 1_000);
    expect(app.lines.map((line) => line.msg)).toContain(
      'shutdown timed out: cutting the connections still open',
    );
    // The server closed the connection (the client never would), with no response begun.
    const outcome = await hanging.outcome();
    expect('bytes' in outcome ? outcome.bytes : 0).toBe(0);
  });

  it('exits at once, with 143, on a second SIGTERM', async () => {
    const { app } = await startApp({ SHUTDOWN_TIMEOUT: '20s' });
    const hanging = await HeldRequest.open(
      app.port,
      requestText('POST', '/auth/sign_out', app.port, { 'Content-Type': FORM }, 'csrf_token=x-y'),
      'x-y',
    );
    cleanup.push(() => hanging.destroy());
    app.child.kill('SIGTERM');
    await app.logged('shutting down');
    const secondAt = performance.now();
    app.child.kill('SIGTERM');
    const exit = await app.exited;
    expect(exit.code).toBe(143);
    expect(exit.at - secondAt).toBeLessThan(1_000);
    expect(app.lines.map((line) => line.msg)).toContain('second signal: exiting at once');
  });
});

describe('on SIGINT', () => {
  it('stops the same way, and exits 0 at once when nothing is under way', async () => {
    const { app } = await startApp();
    const signalledAt = performance.now();
    app.child.kill('SIGINT');
    const exit = await app.exited;
    expect(exit.code).toBe(0);
    expect(exit.at - signalledAt).toBeLessThan(2_000);
    expect(app.lines.find((line) => line.msg === 'shutting down')).toMatchObject({
      signal: 'SIGINT',
    });
    expect(await tryConnect(app.port)).toBe('ECONNREFUSED');
  });
});
