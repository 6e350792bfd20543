import type { FastifyRequest } from 'fastify';

/**
 * The raw query string of a request (after `?`), undecoded: handlers that must see repeated
 * parameters or check what exactly was sent read this rather than Fastify's parsed object.
 */
export function queryOf(request: FastifyRequest): string {
  const at = request.url.indexOf('?');
  return at === -1 ? '' : request.url.slice(at + 1);
}
