/** The `npm run doctor` command: prints each check as it completes; exit code 1 if any failed. */
import { runCommand, type CliIo } from '../registration/cli-io.js';
import { formatCheckResult } from './check-result.js';
import { runDoctor, type DoctorOptions } from './run-doctor.js';

const HELP = `Usage: npm run doctor

Checks the settings (environment and .env) in order: they parse, they avoid the common
deployment mistakes (warnings only), the authority's discovery document answers with the right
issuer, the client credentials work (with a federated credential: its token can be had first),
the clock agrees with the provider's, and (with GRAPH_TOKEN) the registration lists the app's
redirect URIs.`;

/** Runs the doctor; resolves to the exit code. */
export function runDoctorCommand(
  argv: string[],
  io: CliIo,
  options: DoctorOptions = {},
): Promise<number> {
  return runCommand(argv, io, { help: HELP, options: {} }, async () => {
    let failed = 0;
    let warned = 0;
    for await (const result of runDoctor(options)) {
      for (const line of formatCheckResult(result, io.color)) io.out(line);
      if (result.status === 'fail') failed++;
      if (result.status === 'warn') warned++;
    }
    io.out('');
    io.out(summaryOf(failed, warned));
    return failed === 0 ? 0 : 1;
  });
}

// A warning does not fail the run, but "No problems found" would claim more than was checked.
function summaryOf(failed: number, warned: number): string {
  const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  if (failed > 0) {
    return `${plural(failed, 'problem')} found: fix ${failed === 1 ? 'it' : 'them'} as suggested and run npm run doctor again.`;
  }
  if (warned > 0) {
    return `No problems found, but ${plural(warned, 'warning')}: see ${warned === 1 ? 'it' : 'them'} above.`;
  }
  return 'No problems found.';
}
