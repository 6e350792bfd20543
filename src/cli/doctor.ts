/** `npm run doctor`: see src/cli/doctor/doctor-command.ts. */
import { runDoctorCommand } from './doctor/doctor-command.js';
import { terminalIo } from './terminal.js';

process.exitCode = await runDoctorCommand(process.argv.slice(2), terminalIo());
