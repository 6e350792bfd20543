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

// "Where you're signed in" (issue 12) with two real browsers (two profiles, so two sessions).
describe('the sessions page in a real browser', () => {
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

  async function aliceInANewBrowser(): Promise<TestBrowser> {
    const browser = await launchBrowser();
    browsers.push(browser);
    await browser.page.goto(`${t.baseUrl}/auth/sign_in`);
    await signInAtProvider(browser.page);
    await browser.page.waitForURL(`${t.baseUrl}/`);
    return browser;
  }

  it('lists both browsers, marks this one, and ends the other, which is signed out at once', async () => {
    const other = await aliceInANewBrowser();
    const { page } = await aliceInANewBrowser();
    await page
      .getByRole('navigation', { name: 'Pages' })
      .getByRole('link', { name: 'Sessions' })
      .click();
    await page.waitForURL(`${t.baseUrl}/sessions`);
    expect(await page.locator('h1').textContent()).toBe("Where you're signed in");
    const sessions = page.getByRole('list', { name: 'Your sessions' }).getByRole('listitem');
    expect(await sessions.count()).toBe(2);
    // Newest first: this browser signed in last.
    expect(await sessions.nth(0).getByRole('heading').textContent()).toMatch(/ This browser$/);
    expect(await sessions.nth(1).getByRole('heading').textContent()).not.toContain('This browser');
    expect(await sessions.nth(0).textContent()).toContain('Address at sign-in');
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await expectAccessible(page);
    await page.setViewportSize(PHONE);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(await page.getByRole('button', { name: 'Sign out everywhere else' }).isVisible()).toBe(
      true,
    );
    await expectAccessible(page);

    // The other row's button says whose session it ends, by browser and time.
    const endOther = sessions.nth(1).getByRole('button', { name: /^Sign out .+, signed in / });
    await endOther.click();
    await page.waitForURL(`${t.baseUrl}/sessions?notice=ended_one`);
    expect(await page.getByRole('status').textContent()).toContain('That session is signed out');
    expect(await sessions.count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Sign out everywhere else' }).count()).toBe(0);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await expectAccessible(page);

    const response = await other.page.goto(`${t.baseUrl}/token_details`);
    expect(response?.status()).toBe(401);
    expect(await other.page.locator('h1').textContent()).toBe('You need to sign in');
    const mine = await page.goto(`${t.baseUrl}/token_details`);
    expect(mine?.status()).toBe(200);
  });

  it('signs out everywhere else from one browser', async () => {
    const other = await aliceInANewBrowser();
    const { page } = await aliceInANewBrowser();
    await page.goto(`${t.baseUrl}/sessions`);
    await page.getByRole('button', { name: 'Sign out everywhere else' }).click();
    await page.waitForURL(`${t.baseUrl}/sessions?notice=ended_others`);
    expect(await page.getByRole('status').textContent()).toContain(
      'Every other session is signed out',
    );
    await expectAccessible(page);
    expect((await other.page.goto(`${t.baseUrl}/profile`))?.status()).toBe(401);
  });
});
