import { Agent, request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { UserAgent, type Page } from '../support/user-agent.js';

/** One request through the proxy, as its client saw it. */
export interface ProxiedRecord {
  readonly method: string;
  readonly path: string;
  /** The status the proxy answered with, or `null` when no answer came. */
  readonly status: number | null;
  readonly error: string | null;
  /** When it ended (`performance.now()`). */
  readonly at: number;
}

/** Holds back new POSTs while shut, and counts the POSTs under way. */
export class PostGate {
  #opened: Promise<void> = Promise.resolve();
  #open: () => void = () => undefined;
  #underWay = 0;

  get underWay(): number {
    return this.#underWay;
  }

  shut(): void {
    this.#opened = new Promise((resolve) => (this.#open = resolve));
  }

  open(): void {
    this.#open();
  }

  /** Runs `send` once the gate is open, counted as under way until it settles. */
  async pass<T>(send: () => Promise<T>): Promise<T> {
    await this.#opened;
    this.#underWay += 1;
    try {
      return await send();
    } finally {
      this.#underWay -= 1;
    }
  }
}

/**
 * The suite's user agent (cookies, redirects, forms) talking https to a TLS-terminating proxy,
 * its self-signed certificate accepted as a person would accept it, over keep-alive connections;
 * each request to the proxy is recorded, and its POSTs go through `gate`. Requests to other
 * origins (the provider) go as usual.
 */
export class ProxiedAgent extends UserAgent {
  readonly #origin: string;
  readonly #records: ProxiedRecord[];
  readonly #gate: PostGate;
  readonly #agent = new Agent({ keepAlive: true, rejectUnauthorized: false });

  constructor(origin: string, records: ProxiedRecord[], gate: PostGate) {
    super();
    this.#origin = origin;
    this.#records = records;
    this.#gate = gate;
  }

  override async request(
    method: string,
    url: string,
    body?: URLSearchParams,
    headers: Record<string, string> = {},
  ): Promise<Page> {
    if (new URL(url).origin !== this.#origin) return super.request(method, url, body, headers);
    this.visited.push(url);
    const cookie = await this.jar.getCookieString(url);
    const payload = body?.toString();
    const sent = {
      accept: 'text/html',
      ...(cookie === '' ? {} : { cookie }),
      // A browser names the form's origin; the app refuses a cross-site one.
      ...(payload === undefined
        ? {}
        : { 'content-type': 'application/x-www-form-urlencoded', origin: this.#origin }),
      ...headers,
    };
    const path = new URL(url).pathname;
    const send = () => this.#send(method, url, sent, payload);
    const page = await (method === 'POST' ? this.#gate.pass(send) : send()).catch(
      (error: unknown) => {
        const code = (error as NodeJS.ErrnoException).code ?? String(error);
        this.#records.push({ method, path, status: null, error: code, at: performance.now() });
        throw error;
      },
    );
    this.#records.push({ method, path, status: page.status, error: null, at: performance.now() });
    for (const setCookie of page.headers.getSetCookie()) {
      await this.jar.setCookie(setCookie, url, { ignoreError: true });
    }
    return page;
  }

  close(): void {
    this.#agent.destroy();
  }

  #send(
    method: string,
    url: string,
    headers: Record<string, string>,
    payload: string | undefined,
  ): Promise<Page> {
    return new Promise((resolve, reject) => {
      const outgoing = httpsRequest(url, { method, headers, agent: this.#agent });
      outgoing.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          if (!response.complete) {
            reject(new Error(`${method} ${url}: the response was cut`));
            return;
          }
          const pageHeaders = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            for (const one of [value ?? ''].flat()) pageHeaders.append(name, one);
          }
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, url, headers: pageHeaders, body });
        });
      });
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }
}

/** A request held half-sent to a TLS listener: the rest goes, and the answer is read, on finish. */
export interface HeldTlsRequest {
  /** Writes the rest and reads the response head once the server has closed. */
  finish(): Promise<{ status: number; location: string | undefined }>;
  destroy(): void;
}

/**
 * Connects over TLS (any certificate accepted) to 127.0.0.1:`port` as `localhost` and writes
 * `request` up to `heldAt`, a string it contains, as {@link HeldRequest} does over plain TCP. The
 * request should say `Connection: close`, so that the answer ends when the server closes.
 */
export async function holdOverTls(
  port: number,
  request: string,
  heldAt: string,
): Promise<HeldTlsRequest> {
  const at = request.indexOf(heldAt);
  if (at <= 0) throw new Error(`"${heldAt}" is not inside the request`);
  const socket = tlsConnect({
    port,
    host: '127.0.0.1',
    servername: 'localhost',
    rejectUnauthorized: false,
  });
  await new Promise((resolve, reject) => {
    socket.once('secureConnect', resolve).once('error', reject);
  });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const received = new Promise<string>((resolve, reject) => {
    socket.once('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.once('error', reject);
  });
  // Read by finish(); until then, a failure is kept, not thrown.
  received.catch(() => undefined);
  socket.write(request.slice(0, at));
  return {
    finish: async () => {
      socket.write(request.slice(at));
      socket.setTimeout(10_000, () => socket.destroy(new Error('No answer within 10 s')));
      const head = (await received).split('\r\n\r\n')[0] ?? '';
      return {
        status: Number(head.split(' ')[1]),
        location: /^location: (.*)$/im.exec(head)?.[1],
      };
    },
    destroy: () => socket.destroy(),
  };
}

/** One line of nginx's access log in docs/nginx.conf's `forwarded` format. */
export interface AccessEntry {
  readonly line: string;
  readonly method: string;
  /** The request's path and query. */
  readonly target: string;
  readonly status: number;
  /** Each instance nginx tried, in order (`$upstream_addr`): the last one answered. */
  readonly upstreams: readonly string[];
}

/** The entries of an nginx access log in the `forwarded` format. */
export function accessEntries(log: string): AccessEntry[] {
  return log
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [, method = '', target = '', status = '', upstreams = ''] =
        /^\S+ "[^"]*" "(\S+) (\S+) [^"]*" (\d{3}) (.*)$/.exec(line) ?? [];
      return { line, method, target, status: Number(status), upstreams: upstreams.split(', ') };
    });
}
