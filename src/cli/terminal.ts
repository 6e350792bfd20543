/** The process's terminal as a {@link CliIo}: the one place the tools touch stdin and stdout. */
import { createInterface } from 'node:readline/promises';
import type { CliIo } from './registration/cli-io.js';

/** Standard output and error, and questions answered on standard input when it is a terminal. */
export function terminalIo(): CliIo {
  // Piped into `head`, the reader may go away early: stop quietly, as other CLIs do.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    confirm: async (question) => {
      // Piped input cannot answer: refuse rather than delete on a guess.
      if (!process.stdin.isTTY) return false;
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
      } finally {
        rl.close();
      }
    },
    // hasColors() honours NO_COLOR, FORCE_COLOR and the terminal's abilities.
    color: process.stdout.isTTY && process.stdout.hasColors(),
  };
}
