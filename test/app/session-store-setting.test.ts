import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/config.js';

const load = (store: string) =>
  loadConfig({
    env: {
      SESSION_STORE: store,
      SESSION_SECRET: 'a-session-secret-of-at-least-32-characters!',
    },
    cwd: mkdtempSync(join(tmpdir(), 'entra-signin-store-setting-')),
  });

describe('SESSION_STORE', () => {
  it('accepts a redis:// URL', () => {
    expect(load('redis://localhost:6379').session.store).toBe('redis://localhost:6379');
  });

  it('accepts a rediss:// URL with credentials and a database number', () => {
    const url = 'rediss://app:s3cret@redis.example.com:6380/2';
    expect(load(url).session.store).toBe(url);
  });

  it('refuses a Redis URL without a host, and says what to write', () => {
    expect(() => load('redis://')).toThrow(/SESSION_STORE must be a Redis URL such as redis:\/\//);
  });

  it('refuses a Redis URL whose path is not a database number', () => {
    expect(() => load('redis://localhost:6379/sessions')).toThrow(/database/);
  });

  it('does not repeat a Redis password in its message', () => {
    expect(() => load('redis://user:hunter2-secret@/x')).toThrow(/redis:\/\/\*\*\*@/);
    expect(() => load('redis://user:hunter2-secret@/x')).not.toThrow(/hunter2/);
  });

  it('names every kind of store when it refuses one', () => {
    expect(() => load('postgres://x')).toThrow(/"memory", "sqlite:PATH" .* or a Redis URL/);
  });
});
