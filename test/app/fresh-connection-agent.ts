import { request as httpRequest, type IncomingMessage } from 'node:http';
import { UserAgent, type Page } from '../support/user-agent.js';

/** How one request to the app went, seen from the client. */
export interface AppRequestRecord {
  readonly method: string;
  readonly path: string;
  /** When its TCP connection was established (`performance.now()`), if it was. */
  readonly connectedAt: number | null;
  /**
   * `complete`: the whole response came; `refused`: no connection; `no-response`: connected, then
   * closed or reset before any byte of a response; `cut`: a response began and did not end.
   */
  readonly outcome: 'complete' | 'refused' | 'no-response' | 'cut';
  readonly status: number | null;
  readonly error: string | null;
}

/**
 * The test suite's user agent (cookies, redirects, forms), except that each request to the app
 * goes over a new TCP connection of its own (`Connection: close`), recorded as it went: so each
 * request is accepted, or refused, by the app on its own. Requests to the provider go as usual.
 */
export class FreshConnectionAgent extends UserAgent {
  readonly #appOrigin: string;
  readonly #records: AppRequestRecord[];

  constructor(appOrigin: string, records: AppRequestRecord[]) {
    super();
    this.#appOrigin = appOrigin;
    this.#records = records;
  }

  override async request(
    method: string,
    url: string,
    body?: URLSearchParams,
    headers: Record<string, string> = {},
  ): Promise<Page> {
    if (new URL(url).origin !== this.#appOrigin) return super.request(method, url, body, headers);
    this.visited.push(url);
    const cookie = await this.jar.getCookieString(url);
    const payload = body?.toString();
    const response = await this.#send(method, url, payload, {
      ...(cookie === '' ? {} : { cookie }),
      ...(payload === undefined
        ? {}
        : { 'content-type': 'application/x-www-form-urlencoded', origin: this.#appOrigin }),
      accept: 'text/html',
      ...headers,
    });
    const pageHeaders = new Headers();
    for (const [name, value] of Object.entries(response.message.headers)) {
      for (const one of Array.isArray(value) ? value : [value ?? '']) pageHeaders.append(name, one);
    }
    for (const setCookie of pageHeaders.getSetCookie()) {
      await this.jar.setCookie(setCookie, url, { ignoreError: true });
    }
    return {
      status: response.message.statusCode ?? 0,
      url,
      headers: pageHeaders,
      body: response.body,
    };
  }

  #send(
    method: string,
    url: string,
    payload: string | undefined,
    headers: Record<string, string>,
  ): Promise<{ message: IncomingMessage; body: string }> {
    const { pathname, search } = new URL(url);
    const path = pathname + search;
    let connectedAt: number | null = null;
    let message: IncomingMessage | null = null;
    const record = (outcome: AppRequestRecord['outcome'], error: string | null) =>
      this.#records.push({
        method,
        path: pathname,
        connectedAt,
        outcome,
        status: message?.statusCode ?? null,
        error,
      });
    return new Promise((resolve, reject) => {
      const request = httpRequest(url, { method, headers, agent: false });
      request.on('socket', (socket) =>
        socket.once('connect', () => (connectedAt = performance.now())),
      );
      request.on('response', (response) => {
        message = response;
        const chunks: Buffer[] = [];
        let ended = false;
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('close', () => {
          if (ended) return;
          ended = true;
          record('cut', 'closed before the end');
          reject(new Error(`${method} ${path}: the response was cut`));
        });
        response.on('end', () => {
          if (ended) return;
          ended = true;
          if (!response.complete) {
            record('cut', 'incomplete body');
            reject(new Error(`${method} ${path}: the response was cut`));
            return;
          }
          record('complete', null);
          resolve({ message: response, body: Buffer.concat(chunks).toString('utf8') });
        });
        response.on('error', (error: NodeJS.ErrnoException) => {
          if (ended) return;
          ended = true;
          record('cut', error.code ?? error.message);
          reject(error);
        });
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (message !== null) return;
        const code = error.code ?? error.message;
        record(connectedAt === null ? 'refused' : 'no-response', code);
        reject(error);
      });
      request.end(payload);
    });
  }
}
