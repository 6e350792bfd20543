/** `npm run unregister`: see src/registration/register-command.ts. */
import { runUnregisterCommand } from './registration/register-command.js';
import { terminalIo } from './terminal.js';

process.exitCode = await runUnregisterCommand(process.argv.slice(2), terminalIo());
