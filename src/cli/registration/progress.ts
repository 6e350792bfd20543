/**
 * Step-by-step progress for the command-line tools, written as plain lines so that it reads the
 * same in a terminal, a CI log and a test.
 */

/** Where the tools report what they are doing. */
export interface Progress {
  /** A step starts ("Creating the application…"). */
  step(text: string): void;
  /** The step worked. */
  done(text: string): void;
  /** Something the person should know, but not a failure. */
  note(text: string): void;
}

/** A {@link Progress} that writes lines to `write`, with ✔ and ! marks. */
export function lineProgress(write: (line: string) => void): Progress {
  return {
    step: (text) => write(`→ ${text}`),
    done: (text) => write(`  ✔ ${text}`),
    note: (text) => write(`  ! ${text}`),
  };
}
