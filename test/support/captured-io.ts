import type { CliIo } from '../../src/cli/registration/cli-io.js';

/** A {@link CliIo} that keeps every line, and answers questions as told. */
export interface CapturedIo extends CliIo {
  readonly lines: string[];
  readonly errors: string[];
  readonly questions: string[];
  /** Everything written, standard output then standard error. */
  text(): string;
}

/** A terminal stand-in for running the commands in-process. */
export function capturedIo(answer = false): CapturedIo {
  const lines: string[] = [];
  const errors: string[] = [];
  const questions: string[] = [];
  return {
    lines,
    errors,
    questions,
    out: (line) => lines.push(line),
    err: (line) => errors.push(line),
    confirm: (question) => {
      questions.push(question);
      return Promise.resolve(answer);
    },
    color: false,
    text: () => [...lines, ...errors].join('\n'),
  };
}
