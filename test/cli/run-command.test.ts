import { describe, expect, it } from 'vitest';
import { runDoctorCommand } from '../../src/cli/doctor/doctor-command.js';
import {
  runRegisterCommand,
  runUnregisterCommand,
} from '../../src/cli/registration/register-command.js';
import { capturedIo } from '../support/captured-io.js';

const commands = [
  ['register', runRegisterCommand, 'Usage: npm run register'],
  ['unregister', runUnregisterCommand, 'Usage: npm run unregister'],
  ['doctor', runDoctorCommand, 'Usage: npm run doctor'],
] as const;

describe.each(commands)('npm run %s', (_name, run, usage) => {
  it('prints its usage for --help and does nothing else', async () => {
    const io = capturedIo();
    expect(await run(['--help'], io)).toBe(0);
    expect(io.lines[0]).toMatch(new RegExp(`^${usage}`));
    expect(io.lines).toHaveLength(1);
  });

  // Regression: the doctor let parseArgs's TypeError out as a stack trace.
  it('answers an unknown option with a sentence and exit code 1', async () => {
    const io = capturedIo();
    expect(await run(['--bogus'], io)).toBe(1);
    expect(io.errors.join('\n')).toMatch(/^✘ Unknown option '--bogus'.*See --help\.$/);
  });
});
