/**
 * The baseline: a bare `node:http` server, run as its own process, answering every request with
 * a page of BODY_BYTES bytes and the headers a page needs. The ceiling for the page scenarios.
 * Prints `{ "port": … }` on stdout once it listens.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const body = Buffer.alloc(Number(process.env['BODY_BYTES'] ?? 4096), 'x');
const server = createServer((_req, res) => {
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': body.length,
    'cache-control': 'no-store',
  });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
