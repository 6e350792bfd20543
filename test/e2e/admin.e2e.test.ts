import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  expectAccessible,
  horizontalOverflow,
  keepArtifacts,
  launchBrowser,
  PHONE,
  signInAtProvider,
  type TestBrowser,
} from './support/browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// The admin page (issue 12): Alice has the Admin app role in the development provider, Bob none.
describe('the admin page in a real browser', () => {
  let t: TestApp;
  let browsers: TestBrowser[] = [];
  beforeAll(async () => {
    t = await startTestApp({ SESSION_STORE: 'sqlite:./sessions.db' });
  });
  afterAll(async () => t.close());
  afterEach(async (context) => {
    const failed = context.task.result?.state === 'fail';
    for (const [index, browser] of browsers.entries()) {
      await keepArtifacts(browser.page, `${context.task.name} ${index + 1}`, failed);
      await browser.close();
    }
    browsers = [];
  });

  async function signedIn(username: string): Promise<Page> {
    const browser = await launchBrowser();
    browsers.push(browser);
    await browser.page.goto(`${t.baseUrl}/auth/sign_in`);
    await signInAtProvider(browser.page, username);
    await browser.page.waitForURL(`${t.baseUrl}/`);
    return browser.page;
  }

  /** Checks the page on a desktop and on a phone: axe-clean, no sideways scrolling. */
  async function expectFitsAndAccessible(page: Page): Promise<void> {
    await page.setViewportSize({ width: 1100, height: 800 });
    expect(await horizontalOverflow(page), `desktop ${page.url()}`).toBeLessThanOrEqual(0);
    await expectAccessible(page);
    await page.setViewportSize(PHONE);
    expect(await horizontalOverflow(page), `phone ${page.url()}`).toBeLessThanOrEqual(0);
    await expectAccessible(page);
  }

  it("lets Alice end Bob's sessions, after a confirmation: he is signed out at once", async () => {
    const bob = await signedIn('bob@contoso.test');
    const alice = await signedIn('alice@contoso.test');
    await alice
      .getByRole('navigation', { name: 'Pages' })
      .getByRole('link', { name: 'Admin' })
      .click();
    await alice.waitForURL(`${t.baseUrl}/admin`);
    expect(await alice.locator('h1').textContent()).toBe('Admin');
    const bobsRow = alice
      .getByRole('row')
      .filter({ has: alice.getByRole('rowheader', { name: 'Bob Example', exact: true }) });
    expect(await bobsRow.getByRole('cell').allTextContents()).toEqual([
      expect.stringContaining('bob@contoso.test'),
      expect.stringContaining('1'),
      expect.stringMatching(/\d\d:\d\d UTC$/),
      'End all sessions',
    ]);
    const events = alice.getByRole('region', { name: 'Latest events' });
    expect(await events.textContent()).toContain('Signed in');
    await expectFitsAndAccessible(alice);

    await alice.getByRole('button', { name: 'End all sessions of Bob Example' }).click();
    await alice.waitForURL(`${t.baseUrl}/admin/end_sessions`);
    expect(await alice.locator('h1').textContent()).toBe('End the session of Bob Example?');
    await expectFitsAndAccessible(alice);
    await alice.getByRole('button', { name: 'End 1 session' }).click();
    await alice.waitForURL(`${t.baseUrl}/admin?ended=1`);
    expect(await alice.getByRole('status').textContent()).toContain('Ended 1 session.');
    expect(await bobsRow.count()).toBe(0);
    expect(await events.getByRole('row').nth(1).textContent()).toContain(
      'by an administrator (Alice Example, alice@contoso.test)',
    );
    await expectFitsAndAccessible(alice);

    expect((await bob.goto(`${t.baseUrl}/profile`))?.status()).toBe(401);
  });

  it('shows Bob, who lacks the Admin role, a 403 page naming it, with another account offered', async () => {
    const bob = await signedIn('bob@contoso.test');
    expect(await bob.getByRole('navigation', { name: 'Pages' }).textContent()).not.toContain(
      'Admin',
    );
    const response = await bob.goto(`${t.baseUrl}/admin`);
    expect(response?.status()).toBe(403);
    expect(await bob.locator('h1').textContent()).toBe('You may not open this page');
    const main = bob.getByRole('main');
    expect(await main.textContent()).toContain(
      'Signed in as Bob Example (bob@contoso.test); missing: the app role Admin.',
    );
    const another = bob.getByRole('link', { name: 'Sign in as someone else' });
    expect(await another.getAttribute('href')).toContain('prompt=select_account');
    await expectFitsAndAccessible(bob);
  });
});
