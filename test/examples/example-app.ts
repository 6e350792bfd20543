import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { buildServer } from '../support/app-process.js';
import { ROOT, type ExampleName } from './example-names.js';

const run = promisify(execFile);

/** Runs a command with a deadline; rejects with its output when it fails. */
export async function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<string> {
  try {
    const { stdout } = await run(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      timeout: options.timeoutMs,
      killSignal: 'SIGKILL',
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `${command} ${args.join(' ')} failed in ${options.cwd}:\n${stdout}\n${stderr}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Packs the library as `npm pack` would publish it, into `into`, and returns the tarball's path.
 * The build is the tests' shared one (src compiled into a cache folder once per content), so
 * the `dist/` people run is never rewritten under another test; the package's own `files`
 * decide what goes in.
 */
export async function packLibrary(into: string): Promise<string> {
  const builtDist = dirname(dirname(await buildServer()));
  const staging = join(into, 'package');
  mkdirSync(staging, { recursive: true });
  cpSync(builtDist, join(staging, 'dist'), { recursive: true });
  for (const file of ['package.json', 'README.md']) {
    cpSync(join(ROOT, file), join(staging, file));
  }
  // --ignore-scripts: the package is built already, and the staging folder has no sources.
  const out = await runCommand(
    'npm',
    ['pack', '--json', '--ignore-scripts', '--pack-destination', into],
    { cwd: staging, timeoutMs: 60_000 },
  );
  const [packed] = JSON.parse(out) as [{ filename: string }];
  return join(into, basename(packed.filename));
}

/**
 * Copies an example to `into` (outside the repository, so nothing resolves through it) and
 * installs the packed library there with the example's own dependencies.
 */
export async function installExample(
  name: ExampleName,
  into: string,
  tarball: string,
): Promise<string> {
  const dir = join(into, name);
  cpSync(join(ROOT, 'examples', name), dir, {
    recursive: true,
    filter: (source) => !/[/\\](node_modules|data|package-lock\.json)$/.test(source),
  });
  // Installing the tarball by path replaces the folder's `file:../..` spec (the repository), as
  // `npm install entra-signin` would with the published package.
  await runCommand('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
    cwd: dir,
    timeoutMs: 240_000,
  });
  return dir;
}

/** An example app running as `npm start` in its folder. */
export interface RunningExample {
  readonly baseUrl: string;
  /** What it printed so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts an example with `npm start` and only the variables given (no NODE_ENV, no settings of
 * this machine), in a process group of its own so that stopping it ends npm and node alike.
 */
export async function startExample(
  dir: string,
  env: { PORT: string } & Record<string, string>,
): Promise<RunningExample> {
  const child = spawn('npm', ['start'], {
    cwd: dir,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? dir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const collect = (chunk: Buffer) => (output += chunk.toString('utf8'));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseUrl = `http://localhost:${env.PORT}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // The group is gone already.
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-(child.pid ?? 0), 'SIGKILL');
        } catch {
          // Gone.
        }
      }, 5_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`The example in ${dir} exited with ${child.exitCode}:\n${output}`);
    }
    const answered = await fetch(`${baseUrl}/`, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.status === 200,
      () => false,
    );
    if (answered) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`The example in ${dir} did not answer within 30 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { baseUrl, output: () => output, stop };
}
