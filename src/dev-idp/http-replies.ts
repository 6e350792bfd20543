import type { IncomingMessage, ServerResponse } from 'node:http';

const MAX_FORM_BYTES = 16 * 1024;

/** Sends a page that no cache keeps (sign-in pages carry one-time interaction state). */
export function sendHtml(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(body);
}

/** Sends JSON that no cache keeps, with these headers besides. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendBytes(res, status, Buffer.from(JSON.stringify(body)), {
    'content-type': 'application/json; charset=utf-8',
    ...headers,
  });
}

/** Sends bytes that no cache keeps; `headers` name their content type. */
export function sendBytes(
  res: ServerResponse,
  status: number,
  body: Buffer,
  headers: Record<string, string>,
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, {
    'cache-control': 'no-store',
    'content-length': String(body.length),
    ...headers,
  });
  res.end(body);
}

/** The request's body as text, refused past 16 KiB (a sign-in form is a few hundred bytes). */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) {
        reject(new Error('form too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
