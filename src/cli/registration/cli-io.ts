/**
 * What the command-line tools share: where they write, how their arguments are read, and how a
 * failure becomes a sentence and an exit code. Kept apart from `process` so that tests run the
 * commands in-process.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import * as oidc from 'openid-client';
import { isAppError } from '../../core/errors.js';
import { isNetworkFailure } from '../../core/provider/network-failure.js';
import { EnvFileRefused } from './env-file.js';
import { GraphError } from './graph-client.js';
import type { DeviceCodePrompt } from './graph-token.js';
import { RegistrationRefused } from './register.js';

/** The terminal, or a test's stand-in. */
export interface CliIo {
  /** Writes one line to standard output. */
  readonly out: (line: string) => void;
  /** Writes one line to standard error. */
  readonly err: (line: string) => void;
  /** Asks a yes/no question; resolves `false` when nobody can answer (no terminal). */
  readonly confirm: (question: string) => Promise<boolean>;
  /** Whether to colour the output. */
  readonly color: boolean;
}

/**
 * A flag whose value cannot work (`--app-role "Site Admin"`), refused before anything is done:
 * exit code 2, the usual code for a usage mistake.
 */
export class FlagRefused extends Error {
  override readonly name = 'FlagRefused';
}

/** Tells the person to sign in with the device code, in Entra's own words. */
export function showDeviceCode(io: CliIo): (prompt: DeviceCodePrompt) => void {
  return (prompt) => {
    io.out(`  ${prompt.message}`);
    io.out('  Waiting for you to sign in…');
  };
}

/**
 * Prints a failure as one sentence that says what to do, and returns the exit code. Unknown
 * errors are rethrown: a stack trace is more useful than a vague sentence.
 */
function reportFailure(io: CliIo, error: unknown): number {
  if (error instanceof FlagRefused) {
    io.err(`✘ ${error.message}`);
    return 2;
  }
  if (
    error instanceof GraphError ||
    error instanceof RegistrationRefused ||
    error instanceof EnvFileRefused ||
    isAppError(error)
  ) {
    io.err(`✘ ${error.message}`);
    return 1;
  }
  if (error instanceof oidc.ResponseBodyError) {
    // The device code flow's refusals: expired_token, authorization_declined, bad_verification_code.
    io.err(
      `✘ The sign-in to Microsoft Graph did not complete (${error.error}${error.error_description ? `: ${error.error_description.split(/\r?\n/)[0] ?? ''}` : ''}). Run the command again, or set GRAPH_TOKEN.`,
    );
    return 1;
  }
  if (isNetworkFailure(error)) {
    io.err(
      '✘ Could not reach the Microsoft sign-in service. Check the network connection (and AUTHORITY for a national cloud), or set GRAPH_TOKEN.',
    );
    return 1;
  }
  throw error;
}

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
type WithHelp<O extends OptionsConfig> = O & { help: { type: 'boolean'; default: false } };

/** The parsed values of a command's options, `--help` included. */
export type CommandValues<O extends OptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: WithHelp<O> }>
>['values'];

/**
 * Runs a command: reads `argv` against its options (and `--help`, which prints `help`), runs it,
 * and turns a failure, a usage mistake included, into a sentence and exit code 1.
 */
export async function runCommand<const O extends OptionsConfig>(
  argv: string[],
  io: CliIo,
  command: { readonly help: string; readonly options: O },
  run: (values: CommandValues<O>) => Promise<number>,
): Promise<number> {
  try {
    const options: WithHelp<O> = {
      ...command.options,
      help: { type: 'boolean', default: false },
    };
    const { values } = parseArgs({ args: argv, options });
    // Inside this generic function the values' type stays open (the callers' is precise): `in`
    // is how TypeScript lets us read help here.
    if ('help' in values && values.help === true) {
      io.out(command.help);
      return 0;
    }
    return await run(values);
  } catch (error) {
    return reportFailure(io, usageFailure(error));
  }
}

// parseArgs throws TypeErrors with a code for unknown or malformed options: a usage mistake.
function usageFailure(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
    return new RegistrationRefused(`${(error as Error).message}. See --help.`);
  }
  return error;
}
