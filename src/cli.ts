#!/usr/bin/env node
/** The `accelmine` command. Each group of commands lives in src/cli/. */
import { Command } from 'commander';
import { reportError } from './cli/common.js';
import { registerWorkloadCommands } from './cli/workload-commands.js';
import { registerCostCommands } from './cli/cost-commands.js';
import { registerSearchCommand } from './cli/search-command.js';
import { registerCompareCommand } from './cli/compare-command.js';
import { registerDistributedCommand } from './cli/distributed-command.js';
import { registerHyparCommand } from './cli/hypar-cli.js';
import { registerExactCommand } from './cli/exact-command.js';

const program = new Command('accelmine')
  .description('Mine hardware accelerator architectures for training deep neural networks')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)');

registerWorkloadCommands(program);
registerCostCommands(program);
registerSearchCommand(program);
registerCompareCommand(program);
registerDistributedCommand(program);
registerHyparCommand(program);
registerExactCommand(program);

program.parseAsync(process.argv).catch(reportError);
