/**
 * `npm run dev-idp` as a real process: the built `dist/dev-idp/standalone.js` started with
 * `node`, as the script starts it, read from its standard output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { buildServer } from '../support/app-process.js';

/** The standalone provider running as its own process. */
export interface StandaloneProcess {
  /** The `NAME=value` lines it printed, by name. */
  readonly settings: Readonly<Record<string, string>>;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Sends `signal` (SIGTERM by default) and resolves to the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The path of the built standalone entry, beside the built app (one build for both). */
export async function buildStandalone(): Promise<string> {
  return join(dirname(dirname(await buildServer())), 'dev-idp', 'standalone.js');
}

/**
 * Starts the standalone provider in `cwd` with only `env` (and PATH) set, and waits until it has
 * said what the apps need: its settings, or that it wrote them to a file.
 */
export async function startStandalone(
  script: string,
  options: { cwd: string; env: Record<string, string>; args?: string[] },
): Promise<StandaloneProcess> {
  const child = spawn(process.execPath, [script, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'development', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await waitFor(
    child,
    () => /^API_SCOPES=|^Wrote /m.test(stdout),
    () => stderr,
  );
  return {
    settings: settingLines(stdout),
    pid: child.pid ?? 0,
    stdout: () => stdout,
    stderr: () => stderr,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs the standalone provider to its exit (for settings it refuses); its code and output. */
export async function runStandaloneToExit(
  script: string,
  options: { cwd: string; env: Record<string, string>; args?: string[] },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [script, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'development', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** The `NAME=value` lines of a text. */
export function settingLines(text: string): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const match of text.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)) {
    settings[match[1] ?? ''] = match[2] ?? '';
  }
  return settings;
}

async function waitFor(child: ChildProcess, ready: () => boolean, stderr: () => string) {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (ready()) return;
    if (child.exitCode !== null) {
      throw new Error(`npm run dev-idp exited with code ${child.exitCode}: ${stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`npm run dev-idp printed no settings within 15 s: ${stderr()}`);
}
