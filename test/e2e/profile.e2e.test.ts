import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  expectAccessible,
  keepArtifacts,
  launchBrowser,
  signInAtProvider,
  type TestBrowser,
} from './support/browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// The Profile page against the development provider's Graph fake (src/dev-idp/graph-fake.ts),
// with its demo accounts (src/dev-idp/accounts.ts) and Alice's mailbox (demo-mailbox.ts).
describe('the profile page in a real browser', () => {
  let t: TestApp;
  let providerOrigin: string;
  let browser: TestBrowser;
  beforeAll(async () => {
    t = await startTestApp();
    providerOrigin = new URL(t.idp.issuer).origin;
  });
  afterAll(async () => t.close());
  // A fresh browser, so a fresh provider session: the Mail.Read grant of one test is not the next's.
  beforeEach(async () => {
    browser = await launchBrowser();
  });
  afterEach(async (context) => {
    await keepArtifacts(browser.page, context.task.name, context.task.result?.state === 'fail');
    await browser.close();
  });

  /** Signs in at the provider, then follows the header's "Profile" link. */
  async function openProfileAs(page: Page, username: string): Promise<void> {
    await page.goto(`${t.baseUrl}/auth/sign_in`);
    await signInAtProvider(page, username);
    await page.waitForURL(`${t.baseUrl}/`);
    await page
      .getByRole('navigation', { name: 'Pages' })
      .getByRole('link', { name: 'Profile' })
      .click();
    await page.waitForURL(`${t.baseUrl}/profile`);
  }

  /** The value the profile table shows in the row with this heading. */
  async function profileValue(page: Page, label: string): Promise<string | null> {
    const row = page
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: label, exact: true }) });
    return row.getByRole('cell').textContent();
  }

  async function horizontalOverflow(page: Page): Promise<number> {
    return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  }

  // Images in the page that failed to load (or have not), by their URL.
  async function brokenImages(page: Page): Promise<string[]> {
    return page.evaluate(() =>
      Array.from(document.images)
        .filter((image) => !image.complete || image.naturalWidth === 0)
        .map((image) => image.currentSrc || image.src),
    );
  }

  it("shows Alice's name, job title, mail, office and photo, on a desktop and on a phone", async () => {
    const { page } = browser;
    const photoAnswers: { url: string; status: number; type: string }[] = [];
    page.on('response', (response) => {
      if (new URL(response.url()).pathname === '/profile/photo') {
        photoAnswers.push({
          url: response.url(),
          status: response.status(),
          type: response.headers()['content-type'] ?? '',
        });
      }
    });
    await openProfileAs(page, 'alice@contoso.test');

    expect(await page.locator('h1').textContent()).toBe('Alice Example');
    expect(await profileValue(page, 'Name')).toBe('Alice Example');
    expect(await profileValue(page, 'Job title')).toBe('Product Manager');
    expect(await profileValue(page, 'Email')).toBe('alice@contoso.test');
    expect(await profileValue(page, 'Office')).toBe('Building 4');

    const photo = page.getByRole('img', { name: 'Photo of Alice Example' });
    await expect
      .poll(() => photo.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth))
      .toBeGreaterThan(0);
    // Served by the app itself (the token stays on the server), not by Graph.
    const source = await photo.evaluate((image: HTMLImageElement) => image.currentSrc);
    expect(source).toBe(`${t.baseUrl}/profile/photo`);
    // The Graph fake's photo is a PNG.
    expect(photoAnswers).toEqual([
      { url: `${t.baseUrl}/profile/photo`, status: 200, type: 'image/png' },
    ]);
    expect(await brokenImages(page)).toEqual([]);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await expectAccessible(page);

    await page.setViewportSize({ width: 375, height: 740 });
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(await photo.isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: 'Your latest mail' }).isVisible()).toBe(true);
    await expectAccessible(page);
  });

  it("shows Bob's initials, not a broken image, when Graph has no photo of him", async () => {
    const { page } = browser;
    const photoRequests: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/profile/photo') photoRequests.push(request.url());
    });
    await openProfileAs(page, 'bob@contoso.test');

    expect(await page.locator('h1').textContent()).toBe('Bob Example');
    const initials = page.getByRole('img', { name: 'Bob Example (no photo)' });
    expect(await initials.textContent()).toBe('BE');
    expect(await initials.isVisible()).toBe(true);
    expect(await page.locator('img').count()).toBe(0);
    expect(await brokenImages(page)).toEqual([]);
    expect(photoRequests).toEqual([]);
    expect(await profileValue(page, 'Email')).toBe('bob@contoso.test');
    expect(await profileValue(page, 'Job title')).toBe('not set');
    expect(await profileValue(page, 'Office')).toBe('not set');
    await expectAccessible(page);
  });

  it('asks Alice for Mail.Read on the mail page only, once, and comes back to it', async () => {
    const { page } = browser;
    await openProfileAs(page, 'alice@contoso.test');

    await page.getByRole('link', { name: 'Your latest mail' }).click();
    await page.waitForURL(
      (url) => url.origin === providerOrigin && url.pathname.startsWith('/interaction/'),
    );
    expect(await page.locator('h1').textContent()).toBe('Permissions requested');
    expect(await page.getByRole('main').textContent()).toContain('Signed in as alice@contoso.test');
    const asks = page.getByRole('list', { name: /wants to:$/ });
    expect(await asks.getByRole('listitem').allTextContents()).toEqual([
      'Read your mail (Mail.Read)',
    ]);
    await expectAccessible(page);

    await page.getByRole('button', { name: 'Accept' }).click();
    await page.waitForURL(`${t.baseUrl}/profile/mail`);
    expect(await page.locator('h1').textContent()).toBe('Your latest mail');
    const subjects = await page.locator('main ul.mail li strong').allTextContents();
    expect(subjects).toEqual([
      'Roadmap review moved to Thursday',
      'Welcome to the development Graph fake',
      'Lunch?',
    ]);
    await expectAccessible(page);

    // Consented once: the next visit reads the mail without a trip to the provider.
    const providerRequests: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).origin === providerOrigin) providerRequests.push(request.url());
    });
    const again = await page.goto(`${t.baseUrl}/profile/mail`);
    expect(again?.url()).toBe(`${t.baseUrl}/profile/mail`);
    expect(again?.request().redirectedFrom()).toBeNull();
    expect(providerRequests).toEqual([]);
    expect(await page.locator('h1').textContent()).toBe('Your latest mail');
    expect(await page.locator('main ul.mail li strong').allTextContents()).toEqual(subjects);
  });

  it('shows AUTH_CANCELLED when Alice declines Mail.Read, and keeps her signed in', async () => {
    const { page } = browser;
    await openProfileAs(page, 'alice@contoso.test');

    await page.getByRole('link', { name: 'Your latest mail' }).click();
    await page.waitForURL(/\/interaction\//);
    expect(await page.locator('h1').textContent()).toBe('Permissions requested');
    await page.getByRole('button', { name: 'Cancel' }).click();

    await page.waitForURL((url) => url.href.startsWith(t.baseUrl));
    expect(await page.locator('h1').textContent()).toBe('Sign-in was cancelled');
    const main = page.getByRole('main');
    expect(await main.textContent()).toContain('Error code: AUTH_CANCELLED');
    // Entra's answer to a declined consent (access_denied with AADSTS65004), from the provider.
    const providerSaid = page.getByRole('region', { name: 'What the identity provider said' });
    expect(await providerSaid.locator('code').textContent()).toBe('AADSTS65004');
    expect(await providerSaid.textContent()).toContain('User declined to consent');
    expect(await page.getByRole('navigation', { name: 'Account' }).textContent()).toContain(
      'Hello Alice Example!',
    );
    await expectAccessible(page);

    await page.goto(`${t.baseUrl}/token_details`);
    expect(await page.locator('h1').textContent()).toBe('ID token details');
    expect(await page.getByRole('main').textContent()).toContain('alice@contoso.test');
  });
});
