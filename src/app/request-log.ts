import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * One log line per request, when it completes, with the (query-redacted) URL, the status and the
 * time taken: the same facts as Fastify's two default lines (incoming, completed) at half the
 * logging cost, which is a measurable share of a page's CPU time (bench/README.md).
 */
export class OneLineRequestLog extends LogController {
  override incomingRequest(): void {
    // Logged with the completion line instead.
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      req: request,
      statusCode: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (error) request.log.error({ ...line, err: error }, 'request errored');
    else request.log.info(line, 'request completed');
  }
}
