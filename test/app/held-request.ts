import { connect, type Socket } from 'node:net';

/** A response read off the wire to the last byte, and whether all its body came. */
export interface WireResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string[]>>;
  readonly body: string;
  /** The body is as long as Content-Length says, or its chunks end as chunked encoding must. */
  readonly complete: boolean;
}

/**
 * An HTTP/1.1 request written over a plain socket in two parts: the first now, the rest when
 * told. The server has the connection, and a request under way on it, from the first part on:
 * that is how a test holds a request in flight across a signal. Nothing in it asks the server to
 * close the connection, so the response ends only when the server closes it.
 */
export class HeldRequest {
  readonly #socket: Socket;
  readonly #rest: string;
  readonly #received: Promise<Buffer>;

  private constructor(socket: Socket, rest: string) {
    this.#socket = socket;
    this.#rest = rest;
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    this.#received = new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.once('end', () => resolve(Buffer.concat(chunks)));
    });
    // Read by finish(); until then, a failure is kept, not thrown.
    this.#received.catch(() => undefined);
  }

  /**
   * Connects to `port` and writes `request` up to `heldAt`, a string it contains: the part before
   * it goes now, the rest with {@link finish}. Cut in the headers, the request is not routed yet;
   * cut in the body, its handler waits for the body.
   */
  static async open(port: number, request: string, heldAt: string): Promise<HeldRequest> {
    const at = request.indexOf(heldAt);
    if (at <= 0) throw new Error(`"${heldAt}" is not inside the request`);
    const socket = connect({ port, host: 'localhost' });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.write(request.slice(0, at));
    return new HeldRequest(socket, request.slice(at));
  }

  /** Writes the rest of the request and reads the response until the server closes. */
  async finish(timeoutMs = 5_000): Promise<WireResponse> {
    this.#socket.write(this.#rest);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        this.#socket.destroy();
        reject(new Error(`The server did not answer and close within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      return parseResponse(await Promise.race([this.#received, timeout]));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Whatever the server did with the connection, without sending the rest. */
  async outcome(): Promise<{ bytes: number } | { error: string }> {
    return this.#received.then(
      (bytes) => ({ bytes: bytes.length }),
      (error: unknown) => ({ error: (error as NodeJS.ErrnoException).code ?? String(error) }),
    );
  }

  destroy(): void {
    this.#socket.destroy();
  }
}

/** An HTTP/1.1 request as text: request line, Host, the given headers and the body. */
export function requestText(
  method: string,
  path: string,
  port: number,
  headers: Record<string, string>,
  body = '',
): string {
  const lines = [`${method} ${path} HTTP/1.1`, `Host: localhost:${port}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (body !== '') lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

function parseResponse(bytes: Buffer): WireResponse {
  const end = bytes.indexOf('\r\n\r\n');
  if (end === -1) throw new Error(`No complete response head in ${bytes.length} bytes`);
  const [statusLine = '', ...headerLines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string[]> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    (headers[name] ??= []).push(line.slice(colon + 1).trim());
  }
  const raw = bytes.subarray(end + 4);
  const length = headers['content-length']?.[0];
  const chunked = headers['transfer-encoding']?.[0] === 'chunked';
  const complete =
    length !== undefined
      ? raw.length === Number(length)
      : chunked
        ? raw.toString('latin1').endsWith('0\r\n\r\n')
        : true;
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: chunked ? dechunk(raw) : raw.toString('utf8'),
    complete,
  };
}

function dechunk(raw: Buffer): string {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at);
    if (lineEnd === -1) break;
    const size = parseInt(raw.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts).toString('utf8');
}
