import { CookieJar } from 'tough-cookie';

/** One HTTP response as a test reads it. */
export interface Page {
  readonly status: number;
  readonly url: string;
  readonly headers: Headers;
  readonly body: string;
}

/**
 * A small, real HTTP client with a cookie jar that follows redirects like a browser does (GET
 * after 302/303, cookies per host). Not a fake: it talks HTTP to the real app and provider.
 */
export class UserAgent {
  readonly jar = new CookieJar();
  /** Every URL visited, in order, redirects included. */
  readonly visited: string[] = [];
  /**
   * Origins reached at another origin, like a hosts-file entry (a faked Microsoft host served by
   * a local provider): URLs, cookies and pages keep the original origin.
   */
  readonly #originAliases: Readonly<Record<string, string>>;
  /** The `User-Agent` it sends, as a browser would on every request (Node's own by default). */
  readonly #userAgent: string | undefined;

  constructor(
    options: { originAliases?: Readonly<Record<string, string>>; userAgent?: string } = {},
  ) {
    this.#originAliases = options.originAliases ?? {};
    this.#userAgent = options.userAgent;
  }

  /** GET a URL and follow its redirects. */
  async get(
    url: string,
    options: { follow?: boolean; headers?: Record<string, string> } = {},
  ): Promise<Page> {
    const page = await this.request('GET', url, undefined, options.headers);
    return options.follow === false ? page : this.follow(page);
  }

  /** POST a form and follow the redirects. */
  async post(
    url: string,
    form: Record<string, string>,
    options: { follow?: boolean } = {},
  ): Promise<Page> {
    const page = await this.request('POST', url, new URLSearchParams(form));
    return options.follow === false ? page : this.follow(page);
  }

  /** Follows redirects from a response until one that is not a redirect. */
  async follow(page: Page, limit = 10): Promise<Page> {
    let current = page;
    for (let i = 0; i < limit && isRedirect(current.status); i += 1) {
      const location = current.headers.get('location');
      if (location === null) break;
      current = await this.request('GET', new URL(location, current.url).href);
    }
    return current;
  }

  /** Submits the HTML form at `index` of a page with these fields added to its hidden inputs. */
  async submitForm(page: Page, fields: Record<string, string> = {}, index = 0): Promise<Page> {
    const form = findForms(page.body)[index];
    if (!form) throw new Error(`No form #${index} on ${page.url}`);
    return this.post(new URL(form.action, page.url).href, { ...form.hidden, ...fields });
  }

  /** The value of a cookie the jar holds for a URL. */
  async cookie(url: string, name: string): Promise<string | undefined> {
    const cookies = await this.jar.getCookies(url);
    return cookies.find((c) => c.key === name)?.value;
  }

  async request(
    method: string,
    url: string,
    body?: URLSearchParams,
    headers: Record<string, string> = {},
  ): Promise<Page> {
    this.visited.push(url);
    const cookie = await this.jar.getCookieString(url);
    const alias = this.#originAliases[new URL(url).origin];
    const target = alias === undefined ? url : alias + url.slice(new URL(url).origin.length);
    const response = await fetch(target, {
      method,
      redirect: 'manual',
      headers: {
        ...(cookie === '' ? {} : { cookie }),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        accept: 'text/html',
        ...(this.#userAgent === undefined ? {} : { 'user-agent': this.#userAgent }),
        ...headers,
      },
      ...(body ? { body: body.toString() } : {}),
    });
    for (const setCookie of response.headers.getSetCookie()) {
      await this.jar.setCookie(setCookie, url, { ignoreError: true });
    }
    return { status: response.status, url, headers: response.headers, body: await response.text() };
  }
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

interface HtmlForm {
  action: string;
  hidden: Record<string, string>;
}

/** The forms of an HTML page: their action and hidden inputs (enough for these tests). */
export function findForms(html: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const action = /action="([^"]*)"/.exec(match[1] ?? '')?.[1] ?? '';
    const hidden: Record<string, string> = {};
    for (const input of (match[2] ?? '').matchAll(/<input\b[^>]*type="hidden"[^>]*>/g)) {
      const name = /name="([^"]*)"/.exec(input[0])?.[1];
      const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
      if (name !== undefined) hidden[name] = decodeEntities(value);
    }
    forms.push({ action: decodeEntities(action), hidden });
  }
  return forms;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
