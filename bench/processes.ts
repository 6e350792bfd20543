/** The benchmark's child processes, and what Linux says about their CPU time and memory. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
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

/**
 * CPU time (user + system) a process has used so far, in microseconds, from /proc/PID/stat: its
 * own, its children's that have ended, and that of its live children (an app with WORKERS=2 is
 * a primary and two node:cluster workers).
 */
export function cpuMicros(pid: number): number {
  const own = statFields(pid);
  if (own === null) throw new Error(`No process ${pid}`);
  let ticks = sum(own, 11, 12, 13, 14);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields !== null && Number(fields[1]) === pid) ticks += sum(fields, 11, 12);
  }
  return (ticks / TICKS_PER_SECOND) * 1e6;
}

// The fields after the command name, which is in parentheses and may contain spaces; null for a
// process that has just ended.
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

function sum(fields: readonly string[], ...at: number[]): number {
  return at.reduce((total, index) => total + Number(fields[index]), 0);
}

/** Resident memory now and at its peak (VmRSS, VmHWM), in MiB, from /proc/PID/status. */
export function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}
