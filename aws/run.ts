// Entry point of `make run`: see aws/args.ts for the options and aws/run-command.ts for the flow.
import { writeReport } from '../viz/report.ts';
import { createClients } from '../execution/clients.ts';
import { systemClock } from './execution.ts';
import { readStackOutputs } from './outputs.ts';
import { runCommand } from './run-command.ts';

process.exitCode = await runCommand(process.argv.slice(2), {
  readOutputs: (workflow) => readStackOutputs(undefined, undefined, workflow),
  createClients: (region) => createClients({ region }),
  clock: systemClock,
  writeReport: (record) => writeReport(record),
  out: (text) => console.log(text),
  err: (text) => console.error(text),
});
