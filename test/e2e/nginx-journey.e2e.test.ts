import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { buildStandalone, startStandalone } from '../dev-idp/standalone-process.js';
import { buildServer } from '../support/app-process.js';
import { findFreePort } from '../support/free-port.js';
import {
  NGINX_UPSTREAM_ADDRESS,
  startLoggedAppProcess,
  startNginx,
  type LoggedAppProcess,
  type Nginx,
} from '../support/nginx.js';
import {
  keepArtifacts,
  launchBrowser,
  signInAtProvider,
  type TestBrowser,
} from './support/browser.js';

// The deployment the README describes: nginx terminating TLS (docs/nginx.conf as it is, on free
// ports) in front of two app processes that share a SQLite file and one `npm run dev-idp`, with
// BASE_URL the public https origin and TRUST_PROXY naming nginx's own address only.

const FORGED_ADDRESS = '203.0.113.66';

describe('behind nginx, two instances sharing a store and one development provider', () => {
  const running: { close(): Promise<unknown> }[] = [];
  let nginx: Nginx;
  let instances: LoggedAppProcess[];
  let authorizationEndpoint: string;

  beforeAll(async () => {
    const [server, standalone] = [await buildServer(), await buildStandalone()];
    const scratch = mkdtempSync(join(tmpdir(), 'entra-signin-nginx-journey-'));
    running.push({
      close: () => Promise.resolve(rmSync(scratch, { recursive: true, force: true })),
    });
    const nginxPort = await findFreePort();
    const appPorts = [await findFreePort(), await findFreePort()] as const;
    const publicUrl = `https://localhost:${nginxPort}`;

    const idp = await startStandalone(standalone, {
      cwd: scratch,
      env: { DEV_IDP_PORT: String(await findFreePort()), BASE_URL: publicUrl },
    });
    running.push({ close: () => idp.stop() });
    const discovery = await fetch(`${idp.settings['AUTHORITY']}/.well-known/openid-configuration`);
    authorizationEndpoint = ((await discovery.json()) as { authorization_endpoint: string })
      .authorization_endpoint;

    // What must be the same on every instance; only PORT differs.
    const shared = {
      ...idp.settings,
      BASE_URL: publicUrl,
      TRUST_PROXY: NGINX_UPSTREAM_ADDRESS,
      SESSION_SECRET: randomBytes(32).toString('base64url'),
      SESSION_STORE: `sqlite:${join(scratch, 'sessions.db')}`,
    };
    instances = [];
    for (const port of appPorts) {
      const instance = await startLoggedAppProcess(server, port, shared);
      running.push({ close: () => instance.stop() });
      instances.push(instance);
    }
    nginx = await startNginx(nginxPort, appPorts);
    running.push(nginx);
  }, 120_000);
  afterAll(async () => {
    for (const thing of running.splice(0).reverse()) await thing.close();
  });

  const logLines = () => instances.flatMap((instance) => instance.logLines());

  let browser: TestBrowser | undefined;
  afterEach(async (context: TestContext) => {
    if (browser === undefined) return;
    await keepArtifacts(browser.page, context.task.name, context.task.result?.state === 'fail');
    await browser.close();
    browser = undefined;
  });

  it('signs in over https with the public redirect URI, keeps the browser’s address, signs out to a 401', async () => {
    // The self-signed certificate is accepted, as a person would accept it.
    browser = await launchBrowser({ ignoreHTTPSErrors: true });
    const { page, context } = browser;
    // A browser that lies: nginx must replace or append to these, and the app must ignore them.
    await context.setExtraHTTPHeaders({
      'X-Forwarded-For': FORGED_ADDRESS,
      'X-Forwarded-Proto': 'http',
      'X-Forwarded-Host': 'evil.example',
    });
    const navigations: string[] = [];
    page.on('request', (request) => {
      if (request.isNavigationRequest()) navigations.push(request.url());
    });

    await page.goto(`${nginx.url}/`);
    expect(await page.locator('h1').textContent()).toBe("You're not signed in.");
    await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).click();
    await expect.poll(() => page.url()).toContain('/interaction/');
    await signInAtProvider(page);
    await page.waitForURL(`${nginx.url}/`);
    expect(await page.locator('h1').textContent()).toBe("You're signed in, Alice Example!");

    // The authorization request the browser was sent to names the public https redirect URI.
    const authorize = navigations.find((url) => url.startsWith(authorizationEndpoint));
    expect(authorize, navigations.join('\n')).toBeDefined();
    const sent = new URL(authorize ?? '').searchParams;
    expect(sent.get('redirect_uri')).toBe(`${nginx.url}/auth/redirect`);

    const cookie = (await context.cookies(nginx.url)).find((c) => c.name === '__Host-entra-signin');
    expect(cookie).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax', path: '/' });

    const claims = await page.goto(`${nginx.url}/token_details`);
    expect(claims?.status()).toBe(200);
    expect(await page.locator('main').textContent()).toContain('alice@contoso.test');

    // The address at sign-in is the browser's as nginx saw it, not the one it forged.
    await page.goto(`${nginx.url}/sessions`);
    const sessions = (await page.locator('main').textContent()) ?? '';
    expect(sessions).toContain('127.0.0.1');
    expect(sessions).not.toContain(FORGED_ADDRESS);

    await page.goto(`${nginx.url}/auth/sign_out`);
    await page.getByRole('main').getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL((url) => url.href.startsWith(`${nginx.url}/auth/post_sign_out?state=`));
    expect(await page.locator('h1').textContent()).toBe("You're signed out.");
    const after = await page.goto(`${nginx.url}/token_details`);
    expect(after?.status()).toBe(401);

    // Every request the instances logged came from the browser's address, through nginx.
    const requests = logLines().filter((line) => line['msg'] === 'request completed');
    const addresses = new Set(
      requests.map((line) => (line['req'] as { remoteAddress: string }).remoteAddress),
    );
    expect([...addresses]).toEqual(['127.0.0.1']);
    const signedIn = logLines().find(
      (line) => line['msg'] === 'audit' && (line['audit'] as { type: string }).type === 'signed-in',
    );
    expect(signedIn?.['audit']).toMatchObject({ address: '127.0.0.1' });
    // And both instances took part: round robin, with no sticky sessions.
    for (const instance of instances) {
      expect(nginx.accessLog()).toContain(new URL(instance.directUrl).host);
    }
  });

  it('a request straight to an instance, not from nginx’s address, cannot change the redirect URI or the logged address', async () => {
    const instance = instances[0] as LoggedAppProcess;
    const forged = {
      'X-Forwarded-For': FORGED_ADDRESS,
      'X-Forwarded-Proto': 'http',
      'X-Forwarded-Host': 'evil.example',
    };
    const signIn = await fetch(`${instance.directUrl}/auth/sign_in`, {
      headers: forged,
      redirect: 'manual',
    });
    expect(signIn.status).toBe(302);
    const location = new URL(signIn.headers.get('location') ?? '');
    expect(location.href.startsWith(authorizationEndpoint)).toBe(true);
    expect(location.searchParams.get('redirect_uri')).toBe(`${nginx.url}/auth/redirect`);
    // Its attempt cookie is still the https one of BASE_URL.
    expect(signIn.headers.get('set-cookie')).toMatch(/^__Host-entra-signin-signin-[^;]+;.*Secure/i);

    // A path of its own, to find its log line: the address is the socket's, 127.0.0.1.
    const marker = `/direct-${randomBytes(6).toString('hex')}`;
    expect((await fetch(`${instance.directUrl}${marker}`, { headers: forged })).status).toBe(404);
    await expect
      .poll(() =>
        instance
          .logLines()
          .find((line) => (line['req'] as { url?: string } | undefined)?.url === marker),
      )
      .toMatchObject({ req: { remoteAddress: '127.0.0.1' } });
  });
});
