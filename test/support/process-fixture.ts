import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { buildServer } from './app-process.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

/** What the tests that run the app as real processes share. */
export interface ProcessFixture {
  /** The built `server.js` to start with startAppProcess. */
  server(): string;
  /** Each store to run the tests against: its name, and a new SESSION_STORE value for it. */
  readonly stores: [string, () => string][];
}

/**
 * Builds the server, starts a real redis-server and makes a scratch folder before the file's tests,
 * and stops and removes them after.
 */
export function useProcessFixture(): ProcessFixture {
  let server: string | undefined;
  let redis: RedisServer | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    redis = await startRedisServer();
    server = await buildServer();
    dir = mkdtempSync(join(tmpdir(), 'entra-signin-processes-'));
  }, 180_000);
  afterAll(async () => {
    await redis?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  return {
    server: () => {
      if (server === undefined) throw new Error('The server was not built (beforeAll failed)');
      return server;
    },
    stores: [
      ['Redis', () => redis?.url ?? 'redis://redis-did-not-start'],
      ['SQLite file', () => `sqlite:${join(dir ?? tmpdir(), `${randomName()}.db`)}`],
    ],
  };
}

function randomName(): string {
  return Math.random().toString(36).slice(2);
}
