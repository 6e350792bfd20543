import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axe from 'axe-core';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

const chromePath = process.env['CHROME_PATH'] ?? '/usr/bin/chromium';
// `README_SCREENSHOTS=1 npm test` refreshes the pictures the README shows (docs/screenshots/).
const readmeScreenshots = process.env['README_SCREENSHOTS'] === '1';
const readmeDir = join(import.meta.dirname, '..', '..', '..', 'docs', 'screenshots');

/** Where screenshots (and, on failure, the page's HTML) are kept for the reader; git-ignored. */
export const artifactsDir = join(import.meta.dirname, '..', '..', '..', 'test-results', 'e2e');

/** A headless Debian Chromium with a fresh profile folder, driven by playwright-core. */
export interface TestBrowser {
  readonly context: BrowserContext;
  readonly page: Page;
  close(): Promise<void>;
}

/**
 * Launches Chromium from CHROME_PATH or /usr/bin/chromium (never a downloaded browser). Fails,
 * rather than skipping, when it is not installed, and says how to install it.
 */
export async function launchBrowser(
  options: { ignoreHTTPSErrors?: boolean } = {},
): Promise<TestBrowser> {
  if (!existsSync(chromePath)) {
    throw new Error(
      `Chromium is not at ${chromePath}. Install Debian's package (apt-get install -y chromium) or set CHROME_PATH.`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'entra-signin-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromePath,
    headless: true,
    ignoreHTTPSErrors: options.ignoreHTTPSErrors ?? false,
    viewport: { width: 1100, height: 800 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a screenshot of the page; with `failed`, its HTML too. */
export async function keepArtifacts(page: Page, name: string, failed: boolean): Promise<void> {
  mkdirSync(artifactsDir, { recursive: true });
  const file = name
    .replace(/[^\w-]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
  await page.screenshot({ path: join(artifactsDir, `${file}.png`), fullPage: true });
  if (failed) writeFileSync(join(artifactsDir, `${file}.html`), await page.content());
}

/**
 * Runs axe-core in the page and fails on serious or critical violations. axe is evaluated
 * through the DevTools protocol, which the page's CSP (no inline script) does not govern.
 */
export async function expectAccessible(page: Page): Promise<void> {
  await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: typeof axe }).axe.run(document, {
      resultTypes: ['violations'],
    });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.id} (${v.impact ?? ''}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
      );
  });
  expect(violations, `axe on ${page.url()}`).toEqual([]);
}

/** Signs in at the development identity provider's form, from wherever the page is. */
export async function signInAtProvider(
  page: Page,
  username = 'alice@contoso.test',
  password = 'Passw0rd!',
): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** With README_SCREENSHOTS=1, saves the page as one of the README's pictures. */
export async function saveReadmeScreenshot(page: Page, name: string): Promise<void> {
  if (!readmeScreenshots) return;
  mkdirSync(readmeDir, { recursive: true });
  await page.screenshot({ path: join(readmeDir, `${name}.png`), fullPage: true });
}

/** How far the page scrolls sideways (0 or less: it fits the viewport's width). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** The phone width the layout is checked at (an iPhone SE's CSS pixels). */
export const PHONE = { width: 375, height: 740 } as const;
