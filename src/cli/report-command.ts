/** `accelmine report DIR --html FILE`: one self-contained HTML page of a search, compare or sweep directory. */
import type { Command } from 'commander';
import { action, nonEmpty, printJson } from './common.js';

interface ReportFlags {
  html: string;
  title?: string;
  json?: boolean;
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('write one self-contained HTML page (vega-lite charts, no network) of a search, compare or sweep --out directory: Pareto fronts, convergence, the best design\'s schedule, roofline, energy and area')
    .argument('<dir>', 'a directory written by search --out (result.json), compare --out (compare.json) or sweep --out (results.parquet)')
    .requiredOption('--html <file>', 'the HTML file to write', nonEmpty('--html'))
    .option('--title <text>', 'the page title')
    .option('--json', 'print what was written as JSON')
    .action(
      action(async (dir: string, o: ReportFlags) => {
        const { report } = await import('../report/report.js');
        const r = await report(dir, { html: o.html, title: o.title });
        if (o.json) return printJson(r);
        const sections = [...new Set(r.charts.map((c) => c.section))].map((s) => `${s} ${r.charts.filter((c) => c.section === s).length}`);
        process.stdout.write(
          `wrote ${r.file} (${(r.bytes / 1024).toFixed(0)} KiB): ${r.charts.length} charts of a ${r.kind} directory (${sections.join(', ') || 'none'})\n` +
            r.notes.map((n) => `note: ${n}\n`).join(''),
        );
      }),
    );
}
