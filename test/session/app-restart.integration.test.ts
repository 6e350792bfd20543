import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildServer,
  signInThrough,
  startAppProcess,
  startSharedProvider,
} from '../support/app-process.js';
import { findFreePort } from '../support/free-port.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { UserAgent } from '../support/user-agent.js';

let server: string;
let redis: RedisServer | undefined;
let dir: string;

beforeAll(async () => {
  redis = await startRedisServer();
  server = await buildServer();
  dir = mkdtempSync(join(tmpdir(), 'entra-signin-restart-'));
}, 180_000);
afterAll(async () => {
  await redis?.close();
  rmSync(dir, { recursive: true, force: true });
});

const stores: [string, () => string][] = [
  ['Redis', () => redis?.url ?? 'redis://redis-did-not-start'],
  ['a SQLite file', () => `sqlite:${join(dir, 'sessions.db')}`],
];

describe.each(stores)('with sessions in %s', (_name, storeSetting) => {
  it('keeps a person signed in across a restart of the app process', async () => {
    const port = await findFreePort();
    const origin = `http://localhost:${port}`;
    const provider = await startSharedProvider([origin]);
    const env = { ...provider.env, SESSION_STORE: storeSetting() };
    try {
      const agent = new UserAgent();
      const before = await startAppProcess(server, port, env);
      try {
        expect((await signInThrough(agent, origin)).body).toContain('Alice Example');
      } finally {
        await before.stop();
      }
      const after = await startAppProcess(server, port, env);
      try {
        const details = await agent.get(`${origin}/token_details`);
        expect(details.status).toBe(200);
        expect(details.body).toContain('alice@contoso.test');
      } finally {
        await after.stop();
      }
    } finally {
      await provider.idp.close();
    }
  });
});
