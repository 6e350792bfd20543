import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startTestApp, type TestApp } from '../support/test-app.js';
import { keepArtifacts, launchBrowser, signInAtProvider } from './support/browser.js';

describe('over HTTPS with the generated local certificate', () => {
  let t: TestApp;
  beforeAll(async () => {
    const port = await freePort();
    t = await startTestApp({
      HTTPS: 'adhoc',
      PORT: String(port),
      BASE_URL: `https://localhost:${port}`,
    });
  });
  afterAll(async () => t.close());

  it('keeps the Secure, SameSite=Lax __Host- cookie through the round trip to the provider', async () => {
    // The certificate is self-signed: the browser is told to accept it, as a person would.
    const browser = await launchBrowser({ ignoreHTTPSErrors: true });
    let failed = true;
    try {
      const { page, context } = browser;
      await page.goto(`${t.baseUrl}/auth/sign_in`);
      await signInAtProvider(page);
      await page.waitForURL(`${t.baseUrl}/`);
      expect(await page.locator('h1').textContent()).toBe("You're signed in, Alice Example!");
      const cookie = (await context.cookies(t.baseUrl)).find(
        (c) => c.name === '__Host-entra-signin',
      );
      expect(cookie).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax', path: '/' });
      failed = false;
    } finally {
      await keepArtifacts(browser.page, 'https round trip', failed);
      await browser.close();
    }
  });
});
