import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { federatedTokenFile } from '../../../src/core/credentials/federated-token-file.js';

// Issue 14: AKS workload identity's token file as the client assertion.
const NOW = 1_800_000_000_000;
const jwt = (claims: Record<string, unknown>) =>
  [{ alg: 'RS256' }, claims, 'sig']
    .map((part) =>
      Buffer.from(typeof part === 'string' ? part : JSON.stringify(part)).toString('base64url'),
    )
    .join('.');
const live = (n: number) =>
  jwt({ sub: 'system:serviceaccount:web:signin', n, exp: NOW / 1000 + 3600 });

function fileWith(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'entra-signin-token-file-'));
  const path = join(dir, 'azure-identity-token');
  writeFileSync(path, text);
  const source = federatedTokenFile(path, { now: () => NOW, clockToleranceSeconds: 60 });
  return { dir, path, source };
}

async function failureOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('it did not fail');
}

describe('the federated token file as the client assertion', () => {
  it('sends the file’s token, read again at each use so that a rotated one is sent', async () => {
    const { path, source } = fileWith(`${live(1)}\n`);
    expect(await source.assertion()).toBe(live(1));
    writeFileSync(path, live(2));
    expect(await source.assertion()).toBe(live(2));
  });

  it('says the file cannot be read, with the system’s code', async () => {
    const { dir } = fileWith(live(1));
    const source = federatedTokenFile(join(dir, 'gone'), {
      now: () => NOW,
      clockToleranceSeconds: 60,
    });
    const failure = await failureOf(source.assertion());
    expect(failure.code).toBe('CLIENT_ASSERTION_UNAVAILABLE');
    expect(failure.message).toBe(
      `The federated token file ${join(dir, 'gone')} cannot be read (no such file, ENOENT)`,
    );
  });

  it('refuses a file that holds no JWT, without quoting it', async () => {
    const { path, source } = fileWith('a-client-secret-by-mistake');
    const failure = await failureOf(source.assertion());
    expect(failure.message).toBe(`The federated token file ${path} does not hold a JWT`);
    expect(failure.message).not.toContain('a-client-secret-by-mistake');
  });

  it('refuses a token that expired beyond the clock tolerance', async () => {
    const { source } = fileWith(jwt({ exp: NOW / 1000 - 61 }));
    expect((await failureOf(source.assertion())).message).toContain('expired at');
    const { source: tolerated } = fileWith(jwt({ exp: NOW / 1000 - 59 }));
    expect(await tolerated.assertion()).toContain('.');
  });

  it('refuses a folder in its place', async () => {
    const { dir } = fileWith(live(1));
    mkdirSync(join(dir, 'folder'));
    const source = federatedTokenFile(join(dir, 'folder'), {
      now: () => NOW,
      clockToleranceSeconds: 60,
    });
    expect((await failureOf(source.assertion())).message).toContain('is not a token file');
  });
});
