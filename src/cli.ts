#!/usr/bin/env node
/** The `accelmine` command. Each group of commands lives in src/cli/. */
import { Command, CommanderError } from 'commander';
import { reportError } from './cli/common.js';
import { registerWorkloadCommands } from './cli/workload-commands.js';
import { registerCostCommands } from './cli/cost-commands.js';
import { registerSearchCommand } from './cli/search-command.js';
import { registerCompareCommand } from './cli/compare-command.js';
import { registerDistributedCommand } from './cli/distributed-command.js';
import { registerHyparCommand } from './cli/hypar-cli.js';
import { registerExactCommand } from './cli/exact-command.js';

// a reader that stops early (`accelmine … --json | head -1`) closes the pipe: that is not an error
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

// parser errors (missing value, unknown option or command, extra arguments) are user errors: one line, exit 2;
// set before the commands are added, so that every command inherits it
const program = new Command('accelmine')
  .description('Mine hardware accelerator architectures for training deep neural networks')
  .version('0.1.0')
  .exitOverride()
  .configureOutput({ outputError: (msg) => process.stderr.write(`accelmine: ${msg.replace(/^error: /, '').trim()} (accelmine --help lists the commands and options)\n`) });

registerWorkloadCommands(program);
registerCostCommands(program);
registerSearchCommand(program);
registerCompareCommand(program);
registerDistributedCommand(program);
registerHyparCommand(program);
registerExactCommand(program);

if (process.argv.length <= 2) {
  process.stderr.write(`accelmine: give a command: ${program.commands.map((c) => c.name()).join(', ')} (accelmine --help for each)\n`);
  process.exit(2);
}

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
  reportError(e);
});
