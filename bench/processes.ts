/** The benchmark's child processes, and what Linux says about their CPU time and memory. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** A child process the benchmark started. */
export interface Child {
  readonly pid: number;
  readonly process: ChildProcess;
  /** Ends it with SIGTERM (so `--cpu-prof` can write its profile) and waits for it. */
  stop(): Promise<void>;
}

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/**
 * Starts `node [nodeArgs] script` with `env`, and resolves with the first JSON line it prints on
 * stdout (how the benchmark's own servers say where they listen) or, with `readyUrl`, once that
 * URL answers.
 */
export async function startNode(
  script: string,
  options: { env: Record<string, string>; nodeArgs?: string[]; readyUrl?: string; cwd?: string },
): Promise<{ child: Child; announced: Record<string, unknown> }> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script], {
    cwd: options.cwd,
    env: { PATH: process.env['PATH'] ?? '', ...options.env },
    // Log lines go nowhere, as they would to a collector that keeps up; a pipe nobody reads
    // would stall the app.
    stdio: ['ignore', options.readyUrl === undefined ? 'pipe' : 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<never>((_resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}): ${stderr}`)));
  });
  exited.catch(() => undefined);
  const announced = options.readyUrl
    ? await Promise.race([waitForUrl(options.readyUrl).then(() => ({})), exited])
    : await Promise.race([firstJsonLine(child), exited]);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const done = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await done;
  };
  return { child: { pid: child.pid ?? 0, process: child, stop }, announced };
}

async function firstJsonLine(child: ChildProcess): Promise<Record<string, unknown>> {
  if (!child.stdout) throw new Error('no stdout');
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    if (line.startsWith('{')) return JSON.parse(line) as Record<string, unknown>;
  }
  throw new Error('the process ended before saying where it listens');
}

async function waitForUrl(url: string): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt += 1) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} did not answer within 20 s`);
}

/** CPU time (user + system) a process has used so far, in microseconds, from /proc/PID/stat. */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name, in parentheses, may contain spaces: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks / TICKS_PER_SECOND) * 1e6;
}

/** Resident memory now and at its peak (VmRSS, VmHWM), in MiB, from /proc/PID/status. */
export function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}
