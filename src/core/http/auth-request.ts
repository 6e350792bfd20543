import { sanitizeReturnTo } from '../return-to.js';
import type { Logger } from '../logger.js';

/**
 * An HTTP request as the core sees it: plain values that every adapter can fill from its
 * framework's request. Header names are lower case.
 */
export interface AuthRequest {
  readonly method: string;
  /** The path, without the query. */
  readonly path: string;
  /** The raw query string (after `?`), undecoded: repeated parameters must stay visible. */
  readonly query: string;
  header(name: string): string | undefined;
  /** The urlencoded form body; only read by the POST routes. */
  readForm(): Promise<URLSearchParams>;
  /** The id that ties this request's log lines and error page together. */
  readonly id?: string | undefined;
  /** The request's logger (Fastify's `request.log`); else the one in the options. */
  readonly log?: Logger | undefined;
  /**
   * The client's address, as far as the host trusts its proxies (Fastify's `request.ip`,
   * Express's `req.ip`); shown on the sessions page and in audit events, never used to decide.
   */
  readonly address?: string | undefined;
}

/** What the core answers: the adapter copies it onto its framework's response. */
export interface AuthResponse {
  readonly status: number;
  /** Headers to set; a `null` value removes a header the host app may have set. */
  readonly headers: Readonly<Record<string, string | null>>;
  /** `Set-Cookie` values, each a whole header value. */
  readonly cookies: readonly string[];
  readonly body: string | null;
}

/** Collects the headers and cookies of a response while a route works on it. */
export class ResponseDraft {
  readonly cookies: string[] = [];
  readonly headers: Record<string, string | null> = { 'cache-control': 'no-store' };

  redirect(location: string, status: 302 | 303 = 303): AuthResponse {
    return this.finish(status, { location }, null);
  }

  html(status: number, body: string): AuthResponse {
    return this.finish(status, { 'content-type': 'text/html; charset=utf-8' }, body);
  }

  json(status: number, body: unknown): AuthResponse {
    return this.finish(
      status,
      { 'content-type': 'application/json; charset=utf-8' },
      JSON.stringify(body),
    );
  }

  empty(status: number): AuthResponse {
    return this.finish(status, {}, null);
  }

  finish(
    status: number,
    headers: Record<string, string | null>,
    body: string | null,
  ): AuthResponse {
    return { status, headers: { ...this.headers, ...headers }, cookies: [...this.cookies], body };
  }
}

/**
 * The request's own address as a return address (path and query), sanitised: where a sign-in or
 * a trip to the provider comes back to.
 */
export function returnPathOf(request: Pick<AuthRequest, 'path' | 'query'>): string {
  return sanitizeReturnTo(request.query === '' ? request.path : `${request.path}?${request.query}`);
}

/** Whether the client asked for JSON rather than a page. */
export function wantsJson(request: Pick<AuthRequest, 'header'>): boolean {
  const accept = request.header('accept') ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

/**
 * Whether a request was sent by another site: the browser's `Sec-Fetch-Site`, or where that is
 * missing (older browsers), an `Origin` that is not ours. State-changing POSTs must come from our
 * own pages; SameSite=Lax keeps our cookie off them, but a cookie-less POST could still act.
 *
 * @see https://www.w3.org/TR/fetch-metadata/
 */
export function isCrossSite(request: Pick<AuthRequest, 'header'>, baseUrl: string): boolean {
  const site = request.header('sec-fetch-site');
  if (site !== undefined) return site === 'cross-site' || site === 'same-site';
  const origin = request.header('origin');
  return origin !== undefined && origin !== 'null' && origin !== baseUrl;
}

/** Whether a navigation came from another site (for sign-in attempts, which may give way). */
export function isCrossSiteNavigation(request: Pick<AuthRequest, 'header'>): boolean {
  const site = request.header('sec-fetch-site');
  return site === 'cross-site' || site === 'same-site';
}
