import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../support/free-port.js';
import { UserAgent, type Page } from '../support/user-agent.js';
import { runCommand, startExample, type RunningExample } from './example-app.js';
import { EXAMPLES } from './example-names.js';
import { useInstalledExamples } from './installed-examples.js';

// The examples as their users get them: the library built and packed once, each example copied
// out of the repository and given the tarball with `npm install`, then started with `npm start`
// and nothing set but its ports, and driven through the whole journey against the development
// identity provider it starts by itself.

const { folderOf, scratch } = useInstalledExamples();

/** A page's text as a person reads it: tags dropped, entities decoded, spaces collapsed. */
function textOf(page: Page): string {
  return page.body
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

// An account whose name is markup, to show that the examples print what they are given as text.
const MALLORY = {
  username: 'mallory@contoso.test',
  password: 'Passw0rd!',
  name: '<img src=x onerror=alert(1)> Mallory',
};

describe.each(EXAMPLES)('the %s example, installed from the packed library', (name) => {
  let app: RunningExample;
  let idpPort = 0;
  beforeAll(async () => {
    const accounts = join(scratch(), `${name}-accounts.json`);
    writeFileSync(accounts, JSON.stringify([MALLORY]));
    idpPort = await findFreePort();
    app = await startExample(folderOf(name), {
      PORT: String(await findFreePort()),
      DEV_IDP_PORT: String(idpPort),
      DEV_IDP_ACCOUNTS_FILE: accounts,
    });
  }, 60_000);
  afterAll(async () => app.stop());

  async function signIn(agent: UserAgent, username = 'alice@contoso.test', password = 'Passw0rd!') {
    const loginPage = await agent.get(`${app.baseUrl}/auth/sign_in`);
    expect(loginPage.url.startsWith(`http://127.0.0.1:${idpPort}/`)).toBe(true);
    return agent.submitForm(loginPage, { username, password });
  }

  it('says a visitor is not signed in and offers sign-in and the token details', async () => {
    const home = await new UserAgent().get(`${app.baseUrl}/`);
    expect(home.status).toBe(200);
    expect(textOf(home)).toContain("You're not signed in");
    expect(home.body).toContain('href="/auth/sign_in"');
    expect(home.body).toContain('href="/token_details"');
    expect(home.body).toContain('href="/profile"');
    expect(textOf(home)).not.toContain('Sign out');
  });

  it('answers 401 NOT_SIGNED_IN on the token details when signed out', async () => {
    const details = await new UserAgent().get(`${app.baseUrl}/token_details`);
    expect(details.status).toBe(401);
    expect(details.body).toContain('NOT_SIGNED_IN');
  });

  it('signs Alice in, shows her claims, signs her out at the provider, then answers 401', async () => {
    const agent = new UserAgent();
    const landed = await signIn(agent);
    expect(landed.url).toBe(`${app.baseUrl}/`);
    expect(textOf(landed)).toContain("You're signed in, Alice Example");

    const details = await agent.get(`${app.baseUrl}/token_details`);
    expect(details.status).toBe(200);
    const text = textOf(details);
    expect(text).toContain('Alice Example');
    expect(text).toContain('preferred_username');
    expect(text).toContain('alice@contoso.test');
    expect(text).toContain('a11ce000-0000-4000-8000-000000000001');

    // The page's one form is the sign-out, with the session's CSRF token; the provider then
    // asks to confirm, and sends the browser back to the post-sign-out page.
    expect(details.body).toMatch(/name="csrf_token" value="[^"]+"/);
    const confirm = await agent.submitForm(details);
    expect(confirm.url.startsWith(`http://127.0.0.1:${idpPort}/`)).toBe(true);
    const back = await agent.submitForm(confirm, { logout: 'yes' });
    expect(back.url.startsWith(`${app.baseUrl}/auth/post_sign_out?state=`)).toBe(true);
    expect(textOf(back)).toContain("You're signed out.");

    expect((await agent.get(`${app.baseUrl}/token_details`)).status).toBe(401);
    expect(textOf(await agent.get(`${app.baseUrl}/`))).toContain("You're not signed in");
  });

  // Microsoft Graph through the adapter, with nothing set up: the development identity provider
  // issued the access token at sign-in and answers `/v1.0/me` from its Graph-shaped fake. Her job
  // title is in no ID token claim, so only Graph can have put it on the page.
  it("shows Alice's Graph profile, her name and job title, on /profile", async () => {
    const agent = new UserAgent();
    await signIn(agent);
    const profile = await agent.get(`${app.baseUrl}/profile`);
    expect(profile.status, app.output()).toBe(200);
    expect(profile.url).toBe(`${app.baseUrl}/profile`);
    const text = textOf(profile);
    expect(text).toContain('Profile of Alice Example');
    expect(text).toContain('Product Manager');
    expect(text).toContain('alice@contoso.test');
  });

  // The example's one role-protected route, with the development provider's app roles: Alice
  // has Admin, Bob has none.
  it('lets Alice (Admin) into /admin and answers Bob 403, naming the missing role', async () => {
    const alice = new UserAgent();
    await signIn(alice);
    const allowed = await alice.get(`${app.baseUrl}/admin`);
    expect(allowed.status, app.output()).toBe(200);
    expect(textOf(allowed)).toContain('Only people with the Admin app role see this page.');
    const bob = new UserAgent();
    await signIn(bob, 'bob@contoso.test');
    const refused = await bob.get(`${app.baseUrl}/admin`, { follow: false });
    expect(refused.status).toBe(403);
    expect(textOf(refused)).toContain('Signed in as Bob Example');
    expect(textOf(refused)).toContain('missing: the app role Admin');
    expect(refused.body).toContain('prompt=select_account');
    expect((await new UserAgent().get(`${app.baseUrl}/admin`)).status).toBe(401);
  });

  it("lists Alice's two browsers on the library's sessions page, and signs the other out", async () => {
    const laptop = new UserAgent();
    await signIn(laptop);
    const phone = new UserAgent();
    await signIn(phone);
    const page = await phone.get(`${app.baseUrl}/auth/sessions`);
    expect(page.status, app.output()).toBe(200);
    const handles = [...page.body.matchAll(/name="session" value="([^"]+)"/g)].map((m) => m[1]);
    expect(handles.length).toBeGreaterThanOrEqual(1);
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const done = await phone.post(`${app.baseUrl}/auth/sessions/end_others`, { csrf_token: csrf });
    expect(textOf(done)).toContain('Every other session is signed out.');
    expect((await laptop.get(`${app.baseUrl}/token_details`)).status).toBe(401);
    expect((await phone.get(`${app.baseUrl}/token_details`)).status).toBe(200);
  });

  it('answers 401 NOT_SIGNED_IN on /profile when signed out, and keeps running', async () => {
    const profile = await new UserAgent().get(`${app.baseUrl}/profile`);
    expect(profile.status).toBe(401);
    expect(profile.body).toContain('Error code: <code>NOT_SIGNED_IN</code>');
    // The guard's answer, which brings the person back here after signing in; the route's own
    // Graph call, refused by the error translator, would offer a plain sign-in link instead.
    expect(profile.body).toContain('href="/auth/sign_in?post_sign_in_url=%2Fprofile"');
    // Not a crash: the process answers the next request.
    expect((await new UserAgent().get(`${app.baseUrl}/`)).status).toBe(200);
  });

  it('prints a Graph profile whose name is markup as text', async () => {
    const agent = new UserAgent();
    await signIn(agent, MALLORY.username, MALLORY.password);
    const profile = await agent.get(`${app.baseUrl}/profile`);
    expect(profile.status, app.output()).toBe(200);
    expect(textOf(profile)).toContain(`Profile of ${MALLORY.name}`);
    expect(profile.body).not.toContain('<img');
  });

  it('prints a name and claims made of markup as text', async () => {
    const agent = new UserAgent();
    const landed = await signIn(agent, MALLORY.username, MALLORY.password);
    expect(textOf(landed)).toContain(`You're signed in, ${MALLORY.name}`);
    const details = await agent.get(`${app.baseUrl}/token_details`);
    expect(details.status).toBe(200);
    expect(textOf(details)).toContain(MALLORY.name);
    expect(landed.body).not.toContain('<img');
    expect(details.body).not.toContain('<img');
  });
});

// A resolve hook that writes down every module URL the ESM loader resolves. It runs on the
// loader's own thread; the synchronous append is done before the import it serves resolves.
const RECORDING_HOOK = `
import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(file, result.url + '\\n');
  return result;
}
`;

// Imports each module named on the command line, then prints which of the watched packages were
// loaded, by the ESM loader (the hook's record) or by require (require.cache, for CommonJS).
const WHAT_LOADED = `
const { register } = require('node:module');
const { readFileSync, writeFileSync } = require('node:fs');
const { pathToFileURL } = require('node:url');
const [hook, record, ...specifiers] = process.argv.slice(1);
writeFileSync(record, '');
register(pathToFileURL(hook).href, { data: { file: record } });
const watched = ['fastify', 'fastify-plugin', 'express', 'better-sqlite3', 'redis', '@redis/client', 'oidc-provider', 'hono', '@hono/node-server'];
(async () => {
  for (const specifier of specifiers) await import(specifier);
  const seen = readFileSync(record, 'utf8') + '\\n' + Object.keys(require.cache).map((p) => pathToFileURL(p).href).join('\\n');
  console.log(JSON.stringify(watched.filter((name) => seen.includes('/node_modules/' + name + '/'))));
})();
`;

describe('the installed package', () => {
  async function packagesLoadedBy(...specifiers: string[]): Promise<string[]> {
    const hook = join(scratch(), 'recording-hook.mjs');
    writeFileSync(hook, RECORDING_HOOK);
    const record = join(scratch(), `loaded-${String(Math.random()).slice(2)}.txt`);
    const out = await runCommand(
      process.execPath,
      ['-e', WHAT_LOADED, hook, record, ...specifiers],
      { cwd: folderOf('fastify'), timeoutMs: 30_000 },
    );
    return JSON.parse(out.trim().split('\n').at(-1) ?? '[]') as string[];
  }

  it('loads no framework, store driver or identity provider with the core', async () => {
    expect(await packagesLoadedBy('entra-signin')).toEqual([]);
  });

  // The check above can fail: the same check sees what the other entry points load.
  it('sees fastify-plugin loaded by entra-signin/fastify, and fastify when it is imported', async () => {
    expect(await packagesLoadedBy('entra-signin', 'entra-signin/fastify')).toEqual([
      'fastify-plugin',
    ]);
    expect(await packagesLoadedBy('entra-signin/fastify', 'fastify')).toEqual([
      'fastify',
      'fastify-plugin',
    ]);
  });

  it('sees oidc-provider loaded by entra-signin/dev-idp', async () => {
    expect(await packagesLoadedBy('entra-signin', 'entra-signin/dev-idp')).toContain(
      'oidc-provider',
    );
  });
});
