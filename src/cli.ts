#!/usr/bin/env node
/**
 * The `accelmine` command. Each group of commands lives in src/cli/; only the group of the command being run
 * is loaded (a one-shot `accelmine op …` should not pay for HiGHS, vega or the search), all of them for help.
 */
import { createRequire } from 'node:module';
import type { Command as CommandType } from 'commander';
import { reportError } from './cli/common.js';

const VERSION = '0.1.0';
type Command = CommandType;

/** Registers a group's commands; given the command being run, a group may register that one alone. */
type Register = (program: Command, command?: string) => void;

/** Which module registers each command. */
const GROUPS: { commands: string[]; load: () => Promise<Register> }[] = [
  { commands: ['models', 'graph', 'graph-schema'], load: async () => (await import('./cli/workload-commands.js')).registerWorkloadCommands },
  { commands: ['presets', 'op', 'evaluate', 'validate'], load: async () => (await import('./cli/cost-commands.js')).registerCostCommands },
  { commands: ['search'], load: async () => (await import('./cli/search-command.js')).registerSearchCommand },
  { commands: ['sweep', 'merge'], load: async () => (await import('./cli/sweep-command.js')).registerSweepCommands },
  { commands: ['compare'], load: async () => (await import('./cli/compare-command.js')).registerCompareCommand },
  { commands: ['distributed'], load: async () => (await import('./cli/distributed-command.js')).registerDistributedCommand },
  { commands: ['hypar'], load: async () => (await import('./cli/hypar-cli.js')).registerHyparCommand },
  { commands: ['exact'], load: async () => (await import('./cli/exact-command.js')).registerExactCommand },
  { commands: ['report'], load: async () => (await import('./cli/report-command.js')).registerReportCommand },
];
const COMMANDS = GROUPS.flatMap((g) => g.commands);

// a reader that stops early (`accelmine … --json | head -1`) closes the pipe: that is not an error
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

/** commander is CommonJS: require() loads it a few ms faster than an ES import (start-up of one-shot commands) */
const commander = () => createRequire(import.meta.url)('commander') as typeof import('commander');

async function main(argv: string[]): Promise<void> {
  // `--version` alone answers without commander (~8 ms of a ~60 ms process)
  if (argv.length === 3 && (argv[2] === '--version' || argv[2] === '-V')) {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  const { Command } = commander();
  if (argv.length <= 2) {
    process.stderr.write(`accelmine: give a command: ${COMMANDS.join(', ')} (accelmine --help for each)\n`);
    process.exit(2);
  }
  // parser errors (missing value, unknown option or command, extra arguments) are user errors: one line,
  // exit 2; set before the commands are added, so that every command inherits it
  const program = new Command('accelmine')
    .description('Mine hardware accelerator architectures for training deep neural networks')
    .version(VERSION)
    .exitOverride()
    // one line: commander puts its "(Did you mean …?)" on a second one
    .configureOutput({ outputError: (msg) => process.stderr.write(`accelmine: ${msg.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')} (accelmine --help lists the commands and options)\n`) });
  const group = GROUPS.find((g) => g.commands.includes(argv[2]));
  const version = argv[2] === '--version' || argv[2] === '-V';
  for (const g of group ? [group] : version ? [] : GROUPS) (await g.load())(program, group ? argv[2] : undefined);
  await program.parseAsync(argv);
}

main(process.argv).catch((e: unknown) => {
  if (e instanceof commander().CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
  reportError(e);
});
