/** One line of the doctor's report, and how it is printed. */

/**
 * `pass` green, `fail` red, `warn` when a check ran but could not prove what it checks or found a
 * setting that works but is a known mistake, `info` for facts to compare, `skip` when a check
 * cannot run.
 */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'info' | 'skip';

/** The outcome of one check: what was found and, when it failed, what to change. */
export interface CheckResult {
  readonly title: string;
  readonly status: CheckStatus;
  /** What was found, in a sentence. */
  readonly detail: string;
  /** What to change; given for every failure and warning. */
  readonly fix?: string;
}

const MARKS: Record<CheckStatus, { mark: string; color: string }> = {
  pass: { mark: '✔', color: '\u001b[32m' },
  fail: { mark: '✘', color: '\u001b[31m' },
  warn: { mark: '!', color: '\u001b[33m' },
  info: { mark: 'ℹ', color: '\u001b[36m' },
  skip: { mark: '–', color: '\u001b[2m' },
};
const RESET = '\u001b[0m';

/** The lines of one result: the mark and title, what was found, and the fix. */
export function formatCheckResult(result: CheckResult, color: boolean): string[] {
  const { mark, color: code } = MARKS[result.status];
  const head = `${mark} ${result.title}`;
  const lines = [color ? `${code}${head}${RESET}` : head, `    ${result.detail}`];
  if (result.fix !== undefined) lines.push(`    Fix: ${result.fix}`);
  return lines;
}
