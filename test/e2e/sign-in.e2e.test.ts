import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  saveReadmeScreenshot,
  signInAtProvider,
  expectAccessible,
  keepArtifacts,
  launchBrowser,
  type TestBrowser,
} from './support/browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('in a real browser', () => {
  let t: TestApp;
  let now = Date.now();
  let browser: TestBrowser;
  beforeAll(async () => {
    t = await startTestApp({ SESSION_IDLE_TIMEOUT: '30m' }, { now: () => now });
  });
  afterAll(async () => t.close());
  beforeEach(async () => {
    now = Date.now();
    browser = await launchBrowser();
  });
  afterEach(async (context) => {
    await keepArtifacts(browser.page, context.task.name, context.task.result?.state === 'fail');
    await browser.close();
  });

  it('signs Alice in, shows her claims, signs her out, then shows the 401 page', async () => {
    const { page } = browser;
    await page.goto(`${t.baseUrl}/`);
    await expect.poll(() => page.locator('h1').textContent()).toBe("You're not signed in.");
    await expectAccessible(page);

    await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).click();
    await expect.poll(() => page.url()).toContain('/interaction/');
    await expectAccessible(page);
    await signInAtProvider(page);
    await page.waitForURL(`${t.baseUrl}/`);
    expect(await page.locator('h1').textContent()).toBe("You're signed in, Alice Example!");
    expect(await page.getByRole('navigation', { name: 'Account' }).textContent()).toContain(
      'Hello Alice Example!',
    );
    await expectAccessible(page);

    await saveReadmeScreenshot(page, 'status-page');

    await page.getByRole('link', { name: 'ID token details' }).click();
    await page.waitForURL(`${t.baseUrl}/token_details`);
    await saveReadmeScreenshot(page, 'token-details');
    const table = page.locator('main');
    for (const value of [
      'Alice Example',
      'alice@contoso.test',
      'a11ce000-0000-4000-8000-000000000001',
      t.config.devIdp?.tenantId ?? '',
    ]) {
      expect(await table.textContent()).toContain(value);
    }
    expect(await table.textContent()).toMatch(/expires in \d+ min/);
    await expectAccessible(page);

    // The sign-out page's own button (the header has one too, used in the two-tab test).
    await page.goto(`${t.baseUrl}/auth/sign_out`);
    expect(await page.locator('h1').textContent()).toBe('Sign out?');
    await expectAccessible(page);
    await page.getByRole('main').getByRole('button', { name: 'Sign out' }).click();
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL((url) => url.href.startsWith(`${t.baseUrl}/auth/post_sign_out?state=`));
    expect(await page.locator('h1').textContent()).toBe("You're signed out.");
    await expectAccessible(page);

    await page.goto(`${t.baseUrl}/`);
    expect(await page.locator('h1').textContent()).toBe("You're not signed in.");
    const response = await page.goto(`${t.baseUrl}/token_details`);
    expect(response?.status()).toBe(401);
    expect(await page.locator('h1').textContent()).toBe('You need to sign in');
    await expectAccessible(page);
  });

  it('brings Alice back to the page she asked for', async () => {
    const { page } = browser;
    await page.goto(`${t.baseUrl}/token_details`);
    await page.getByRole('main').getByRole('link', { name: 'Sign in' }).click();
    await signInAtProvider(page);
    await page.waitForURL(`${t.baseUrl}/token_details`);
    expect(await page.locator('h1').textContent()).toBe('ID token details');
  });

  it('keeps a wrong password on the provider page with its error', async () => {
    const { page } = browser;
    await page.goto(`${t.baseUrl}/auth/sign_in`);
    await signInAtProvider(page, 'alice@contoso.test', 'not-the-password');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('do not match');
    expect(page.url()).toContain('/interaction/');
  });

  it('signs the other tab out on its next request', async () => {
    const { page, context } = browser;
    await page.goto(`${t.baseUrl}/auth/sign_in`);
    await signInAtProvider(page);
    await page.waitForURL(`${t.baseUrl}/`);
    const other = await context.newPage();
    await other.goto(`${t.baseUrl}/token_details`);
    expect(await other.locator('h1').textContent()).toBe('ID token details');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL((url) => url.href.startsWith(`${t.baseUrl}/auth/post_sign_out?state=`));

    await other.getByRole('link', { name: 'Back to the home page' }).click();
    expect(await other.locator('h1').textContent()).toBe("You're not signed in.");
    await other.close();
  });

  it('shows the signed-out state, not an error, once the session has been idle too long', async () => {
    const { page } = browser;
    await page.goto(`${t.baseUrl}/auth/sign_in`);
    await signInAtProvider(page);
    await page.waitForURL(`${t.baseUrl}/`);
    now += 31 * 60_000;
    await page.getByRole('link', { name: 'ID token details' }).click();
    expect(await page.locator('h1').textContent()).toBe('You need to sign in');
    await page.goto(`${t.baseUrl}/`);
    expect(await page.locator('h1').textContent()).toBe("You're not signed in.");
  });

  it('reads well on a phone in dark mode: no sideways scrolling, enough contrast', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${t.baseUrl}/auth/sign_in`);
    await signInAtProvider(page);
    await page.waitForURL(`${t.baseUrl}/`);
    await page.goto(`${t.baseUrl}/token_details`);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).not.toBe('rgb(245, 246, 248)');
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await expectAccessible(page);
  });

  it('can be used with the keyboard alone', async () => {
    const { page } = browser;
    await page.goto(`${t.baseUrl}/`);
    // Tab to the header's sign-in link and follow it with Enter.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Sign in');
    const outline = await page.evaluate(
      () => getComputedStyle(document.activeElement ?? document.body).outlineStyle,
    );
    expect(outline).toBe('solid');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/interaction\//);
    // The provider's page focuses the username field itself; a person types once it has.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('username');
    await page.keyboard.type('alice@contoso.test');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Passw0rd!');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${t.baseUrl}/`);
    expect(await page.locator('h1').textContent()).toBe("You're signed in, Alice Example!");
  });

  it('shows the error page when the person cancels at the provider', async () => {
    const { page } = browser;
    await page.goto(`${t.baseUrl}/auth/sign_in`);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Sign-in was cancelled');
    expect(await page.locator('main').textContent()).toContain('access_denied');
    expect(await page.locator('main').textContent()).toMatch(/Correlation id: [0-9a-f-]{36}/);
    await expectAccessible(page);
  });
});
