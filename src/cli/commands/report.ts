import { writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { buildClassReport } from '../../classroom/classReport';
import { readProgressExports } from '../../classroom/progressExports';
import { classReportCsv } from '../../classroom/reportCsv';
import { classReportHtml } from '../../classroom/reportHtml';
import { printable } from '../../common/text';
import { UsageError, type CliCommand } from '../command';

/** `leakhunt report`: many learners' progress exports as one class view, HTML or CSV. */
export const reportCommand: CliCommand = {
  usage: '<export-or-folder>... -o <file.html|file.csv>',
  options: {
    output: {
      type: 'string',
      short: 'o',
      valueName: '<file>',
      description:
        'The report to write: .html (page with a chart) or .csv (one row per learner and exercise)',
    },
    json: { type: 'boolean', description: 'Also print the class report data as JSON on stdout' },
  },
  examples: [
    'leakhunt report exports/ -o class.html',
    'leakhunt report ada.json grace.json -o class.csv',
    "leakhunt report clones/ -o class.html    # every .leakhunt/progress.json in learners' clones",
  ],
  async run({ positionals, values }, io) {
    if (!positionals.length)
      throw new UsageError('expects progress exports or folders holding them');
    if (typeof values.output !== 'string') throw new UsageError('needs -o <file.html|file.csv>');
    const format = extname(values.output).toLowerCase();
    if (format !== '.html' && format !== '.csv')
      throw new UsageError('-o must name a .html or a .csv file');
    const { learners, warnings, skipped } = await readProgressExports(positionals, io.cwd);
    for (const warning of warnings) io.err(`skipped ${printable(warning)}`);
    if (!learners.length) throw new UsageError('found no learner progress to report on');
    const report = buildClassReport(learners, Date.now());
    const out = resolve(io.cwd, values.output);
    await writeFile(
      out,
      format === '.html' ? classReportHtml(report, warnings) : classReportCsv(report),
    );
    const solved = report.learners.reduce((sum, l) => sum + l.solvedCount, 0);
    const summary =
      `${out}: ${report.learners.length} learners from ${learners.length} files, ` +
      `${report.exercises.length} exercises, ${solved} solved` +
      (skipped ? ` (${skipped} other JSON files ignored)` : '');
    if (values.json === true) {
      io.out(JSON.stringify(report, null, 2));
      io.err(summary);
    } else io.out(summary);
    return 0;
  },
};
