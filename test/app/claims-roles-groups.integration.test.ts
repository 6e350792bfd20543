/**
 * The claims page's app roles and groups (issue 12): from the ID token, or for Carol, whose
 * token has the groups overage marker, from the development provider's Graph-shaped fake; and a
 * clear 503 when Graph does not answer, never a page that lists no groups.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTOSO_STAFF,
  ENGINEERING,
  NUMBERED_GROUPS,
  PRODUCT_MANAGEMENT,
} from '../../src/dev-idp/directory-groups.js';
import { freePort, signIn, startTestApp, type TestApp } from '../support/test-app.js';

/** The claims page's "App roles and groups" section. */
function accessSection(body: string): string {
  return (
    /<section class="claim-group" aria-labelledby="group-access">([\s\S]*?)<\/section>/.exec(
      body,
    )?.[1] ?? ''
  );
}

describe('the claims page with the development Graph', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it("lists Alice's app role and her three groups, from the token", async () => {
    const agent = t.userAgent();
    await signIn(t, agent);
    const page = await agent.get(`${t.baseUrl}/token_details`);
    expect(page.status).toBe(200);
    const section = accessSection(page.body);
    expect(section).toContain('<code>Admin</code>');
    expect(section).toContain('3 groups (object ids), from the token.');
    for (const group of [ENGINEERING, CONTOSO_STAFF, PRODUCT_MANAGEMENT]) {
      expect(section).toContain(`<code>${group.id}</code>`);
    }
    expect(section).not.toContain('Microsoft Graph');
  });

  it('says Bob has no app role and no group', async () => {
    const agent = t.userAgent();
    await signIn(t, agent, { username: 'bob@contoso.test' });
    const section = accessSection((await agent.get(`${t.baseUrl}/token_details`)).body);
    expect(section).toContain('None: no app role of this app is assigned to you.');
    expect(section).toContain('0 groups (object ids), from the token.');
  });

  it("lists Carol's 250 groups through the overage path, marked as from Graph", async () => {
    const agent = t.userAgent();
    await signIn(t, agent, { username: 'carol@contoso.test' });
    const page = await agent.get(`${t.baseUrl}/token_details`);
    expect(page.status).toBe(200);
    // Her token names no group: it carries the overage marker instead.
    expect(page.body).toContain('_claim_names');
    const section = accessSection(page.body);
    expect(section).toContain(
      '250 groups (object ids), <strong>from Microsoft Graph (the token had too many groups)</strong>.',
    );
    expect(section).toContain('<summary>Show the 250 group ids</summary>');
    for (const group of [CONTOSO_STAFF, ENGINEERING, NUMBERED_GROUPS[0], NUMBERED_GROUPS[247]]) {
      expect(section).toContain(`<code>${group?.id ?? 'missing'}</code>`);
    }
    expect(section.match(/<li><code>/g)).toHaveLength(250);
  });
});

describe('the claims page when Graph does not answer', () => {
  let t: TestApp;
  beforeAll(async () => {
    // A loopback port nothing listens on: every Graph call is refused at once.
    t = await startTestApp({ GRAPH_URL: `http://127.0.0.1:${await freePort()}` });
  });
  afterAll(async () => t.close());

  it('answers Carol 503 GROUPS_UNAVAILABLE, and keeps her signed in', async () => {
    const agent = t.userAgent();
    await signIn(t, agent, { username: 'carol@contoso.test' });
    const page = await agent.get(`${t.baseUrl}/token_details`);
    expect(page.status).toBe(503);
    expect(page.body).toContain('Your group memberships cannot be read right now');
    expect(page.body).toContain('GROUPS_UNAVAILABLE');
    expect(page.body).toContain('<a class="button" href="/token_details">Try again</a>');
    expect(page.body).not.toContain('group-access');
    const json = await agent.get(`${t.baseUrl}/token_details`, {
      headers: { accept: 'application/json' },
    });
    expect(json.status).toBe(503);
    expect(JSON.parse(json.body)).toMatchObject({ error: 'GROUPS_UNAVAILABLE' });
    expect((await agent.get(`${t.baseUrl}/`)).body).toContain('Hello Carol Example!');
  });

  it('never offers to try again on another site, for a request in absolute form', async () => {
    const agent = t.userAgent();
    await signIn(t, agent, { username: 'carol@contoso.test' });
    const cookie = await agent.jar.getCookieString(t.baseUrl);
    // What a browser never sends but a proxy may pass on: the target as an absolute URL.
    const { port } = new URL(t.baseUrl);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        // Written, not ended: the server closes the connection when it has answered.
        socket.write(
          `GET http://evil.example/token_details HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: ${cookie}\r\nAccept: text/html\r\nConnection: close\r\n\r\n`,
        );
      });
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 503/);
    expect(answer).not.toContain('evil.example');
  });

  it('still shows Alice her groups, which her token lists', async () => {
    const agent = t.userAgent();
    await signIn(t, agent);
    const page = await agent.get(`${t.baseUrl}/token_details`);
    expect(page.status).toBe(200);
    expect(accessSection(page.body)).toContain('3 groups (object ids), from the token.');
  });
});
