/**
 * Where the core writes what happened: a pino-shaped logger (Fastify's `request.log`, a pino
 * instance, or anything with these methods). The core never logs tokens, codes or cookies.
 */
export interface Logger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** The logger used when none is given: it drops everything. */
export const silentLogger: Logger = Object.freeze({
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
});
