import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  runRegisterCommand,
  runUnregisterCommand,
} from '../../src/cli/registration/register-command.js';
import { capturedIo } from '../support/captured-io.js';
import { graphFailures, startFakeGraph, type FakeGraph } from '../support/fake-graph.js';

let graph: FakeGraph;
let dir: string;
const envFile = () => join(dir, '.env');
const settings = () => ({
  cwd: dir,
  env: { GRAPH_URL: graph.url, GRAPH_TOKEN: graph.token, DATA_DIR: join(dir, 'data') },
});

beforeEach(async () => {
  graph = await startFakeGraph();
  dir = mkdtempSync(join(tmpdir(), 'entra-signin-unregister-'));
});
afterEach(async () => {
  await graph.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run unregister', () => {
  it('deletes the application .env names and removes its values from .env, keeping the rest', async () => {
    writeFileSync(envFile(), 'PORT=5000\n');
    expect(await runRegisterCommand([], capturedIo(), settings())).toBe(0);
    const [app] = [...graph.applications.values()];
    const io = capturedIo();
    expect(await runUnregisterCommand([], io, settings())).toBe(0);
    expect(graph.applications.size).toBe(0);
    expect(graph.requests.at(-1)).toMatchObject({
      method: 'DELETE',
      path: `/applications/${app?.id ?? ''}`,
    });
    expect(readFileSync(envFile(), 'utf8')).toBe('PORT=5000\n');
    expect(io.questions).toEqual([]);
  });

  it('finds the application by name when .env has no CLIENT_ID, and deletes it only when told yes', async () => {
    await runRegisterCommand([], capturedIo(), settings());
    writeFileSync(envFile(), 'PORT=5000\n');
    const declined = capturedIo(false);
    expect(await runUnregisterCommand([], declined, settings())).toBe(1);
    expect(declined.questions[0]).toMatch(/^Delete the application "entra-signin" \(client id /);
    expect(graph.applications.size).toBe(1);
    const agreed = capturedIo(true);
    expect(await runUnregisterCommand([], agreed, settings())).toBe(0);
    expect(graph.applications.size).toBe(0);
  });

  it('deletes without asking with --yes', async () => {
    await runRegisterCommand(['--name', 'other'], capturedIo(), settings());
    writeFileSync(envFile(), '');
    const io = capturedIo(false);
    expect(await runUnregisterCommand(['--name', 'other', '--yes'], io, settings())).toBe(0);
    expect(io.questions).toEqual([]);
    expect(graph.applications.size).toBe(0);
  });

  it('still cleans .env when the application is already gone', async () => {
    writeFileSync(envFile(), 'TENANT_ID=t\nCLIENT_ID=gone\nCLIENT_SECRET=s\nPORT=1\n');
    const io = capturedIo();
    expect(await runUnregisterCommand([], io, settings())).toBe(0);
    expect(io.text()).toContain('No registration was deleted.');
    expect(readFileSync(envFile(), 'utf8')).toBe('PORT=1\n');
  });

  it('names the role needed when Graph answers 403, and keeps .env as it was', async () => {
    await runRegisterCommand([], capturedIo(), settings());
    const before = readFileSync(envFile(), 'utf8');
    graph.failNext('DELETE', /^\/applications\//, graphFailures.forbidden);
    const io = capturedIo();
    expect(await runUnregisterCommand([], io, settings())).toBe(1);
    expect(io.errors.join('\n')).toMatch(
      /refused to delete the application \(Authorization_RequestDenied.*Cloud Application Administrator/,
    );
    expect(readFileSync(envFile(), 'utf8')).toBe(before);
    expect(graph.applications.size).toBe(1);
  });

  // Regression: the line-by-line edit left a live AUTHORITY= line from inside a quoted secret.
  it('refuses a .env with a value over several lines before deleting anything', async () => {
    await runRegisterCommand([], capturedIo(), settings());
    const before = `NOTE="first line\nAUTHORITY=https://attacker.example\nlast line"\n${readFileSync(envFile(), 'utf8')}`;
    writeFileSync(envFile(), before);
    const io = capturedIo();
    expect(await runUnregisterCommand([], io, settings())).toBe(1);
    expect(io.errors.join('\n')).toContain(
      `✘ ${envFile()} cannot be edited safely: the value of NOTE spans several lines`,
    );
    expect(readFileSync(envFile(), 'utf8')).toBe(before);
    expect(graph.applications.size).toBe(1);
  });
});
