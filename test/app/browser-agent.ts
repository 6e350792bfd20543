import { signIn, type TestApp } from '../support/test-app.js';
import { findForms, UserAgent, type Page } from '../support/user-agent.js';

/** What real browsers send, so the sessions page has something to name. */
export const FIREFOX_ON_LINUX =
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
export const CHROME_ON_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
export const SAFARI_ON_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

/**
 * The tests' HTTP client (its own cookie jar, redirects followed) sending a browser's
 * `User-Agent` with every request, as that browser would.
 */
export class BrowserAgent extends UserAgent {
  readonly #userAgent: string;

  constructor(userAgent: string) {
    super();
    this.#userAgent = userAgent;
  }

  override async request(
    method: string,
    url: string,
    body?: URLSearchParams,
    headers: Record<string, string> = {},
  ): Promise<Page> {
    return super.request(method, url, body, { 'user-agent': this.#userAgent, ...headers });
  }
}

/** A browser signed in as `username` through the development identity provider. */
export async function signedInBrowser(
  t: TestApp,
  userAgent: string,
  username = 'alice@contoso.test',
): Promise<BrowserAgent> {
  const agent = new BrowserAgent(userAgent);
  const landed = await signIn(t, agent, { username });
  if (landed.status !== 200) throw new Error(`Sign-in of ${username} answered ${landed.status}`);
  return agent;
}

/** Whether the agent's session still opens a signed-in page. */
export async function isSignedIn(t: TestApp, agent: UserAgent): Promise<boolean> {
  const page = await agent.get(`${t.baseUrl}/token_details`);
  if (page.status !== 200 && page.status !== 401) {
    throw new Error(`/token_details answered ${page.status}`);
  }
  return page.status === 200;
}

/** The forms of a page that post to `action`, with their hidden fields. */
export function formsTo(page: Page, action: string): Record<string, string>[] {
  return findForms(page.body)
    .filter((form) => form.action === action)
    .map((form) => form.hidden);
}

/** The `aria-label`s of the page's buttons, in order. */
export function buttonLabels(page: Page): string[] {
  return [...page.body.matchAll(/<button\b[^>]*aria-label="([^"]*)"/g)].map((m) => m[1] ?? '');
}

/** The text of the page's `role="status"` message, or `null`. */
export function statusMessage(page: Page): string | null {
  const found = /<p\b[^>]*role="status"[^>]*>([\s\S]*?)<\/p>/.exec(page.body);
  return found === null ? null : (found[1] ?? '').replace(/<[^>]+>/g, '');
}

/** The audit events the app logged (`msg: 'audit'`), oldest first. */
export function auditLines(t: TestApp): Record<string, unknown>[] {
  return t.logs
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('"msg":"audit"'))
    .map((line) => (JSON.parse(line) as { audit: Record<string, unknown> }).audit);
}
