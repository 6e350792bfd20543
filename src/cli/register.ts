/** `npm run register`: see src/registration/register-command.ts. */
import { runRegisterCommand } from './registration/register-command.js';
import { terminalIo } from './terminal.js';

process.exitCode = await runRegisterCommand(process.argv.slice(2), terminalIo());
