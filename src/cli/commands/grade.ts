import { appendFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { printable, printableLines } from '../../common/text';
import { requireCommandsAllowed } from '../../exercises/consent';
import { everyExerciseCheck } from '../../exercises/leaks';
import { checkApp, inProcessDiff } from '../../hunt';
import { readDebrief } from '../../learner/debrief';
import { gradeWorkspace, type GradedItem, type GradeReport } from '../../learner/grade';
import { autogradingOutputLine, toAutogradingResult, toJUnitXml } from '../../learner/gradeFormats';
import { readLearnerWorkspace } from '../../learner/workspace';
import { UsageError, type CliCommand } from '../command';
import { allowCommandsOption, untilTerminated } from './hunt';

const MARK: Record<GradedItem['status'], string> = {
  pass: 'pass',
  fail: 'FAIL',
  error: 'ERROR',
  skipped: 'skip',
};

/** The report for a person: one line per test and the check, failures' first lines, the score. */
export function formatGrade(report: GradeReport): string[] {
  const items = [...report.tests, report.check];
  const width = Math.max(...items.map((i) => `${i.points}/${i.maxPoints}`.length));
  const lines = [`${printable(report.title)} (${report.exerciseId}): ${report.workspace}`];
  for (const item of items) {
    const points = `${item.points}/${item.maxPoints}`.padStart(width);
    lines.push(`  ${MARK[item.status].padEnd(5)} ${points}  ${printable(item.name)}`);
    if (item.message && item.status !== 'pass')
      for (const line of item.message.split('\n').slice(0, 6))
        lines.push(`              ${printable(line)}`);
  }
  lines.push(
    `Score: ${report.score}/${report.maxScore} — ${report.passed ? 'passed' : 'not passed yet'} ` +
      `(${(report.durationMs / 1000).toFixed(1)}s)`,
  );
  return lines;
}

/**
 * `leakhunt grade`: setup, tests and leak check on a learner's workspace, for CI. Exit 0 when
 * everything passes, 1 when something fails, 2 when grading could not happen.
 */
export const gradeCommand: CliCommand = {
  usage: '<workspace>',
  options: {
    json: { type: 'boolean', description: 'Print the full report as JSON on stdout' },
    junit: {
      type: 'string',
      valueName: '<file>',
      description: 'Write the results as JUnit XML (one test case per test and for the check)',
    },
    autograding: {
      type: 'boolean',
      description:
        "GitHub Classroom's autograding result: step output 'result' in $GITHUB_OUTPUT (base64 JSON); without it, the JSON on stdout",
    },
    exercise: {
      type: 'string',
      valueName: '<dir>',
      description:
        "Grade against this exercise folder instead of the workspace's own copy (which learners can edit)",
    },
    node: {
      type: 'string',
      valueName: '<path>',
      description: 'Node binary for services and tests',
    },
    'allow-commands': allowCommandsOption,
  },
  examples: [
    'leakhunt grade . --autograding --junit report.xml',
    'leakhunt grade ~/work/cart --json > grade.json',
    'leakhunt grade submissions/ada --exercise exercises/cart --junit ada.xml',
  ],
  async run({ positionals, values }, io) {
    if (positionals.length !== 1) throw new UsageError('expects one workspace folder');
    const outputFile = process.env.GITHUB_OUTPUT;
    const autogradingOnStdout = values.autograding === true && !outputFile;
    if (autogradingOnStdout && values.json === true)
      throw new UsageError(
        '--json and --autograding (without $GITHUB_OUTPUT) both print on stdout',
      );
    const workspace = await readLearnerWorkspace(resolve(io.cwd, positionals[0]!), {
      ...(typeof values.exercise === 'string'
        ? { exerciseDir: resolve(io.cwd, values.exercise) }
        : {}),
    });
    await requireCommandsAllowed(
      workspace.exercise,
      values['allow-commands'] === true,
      workspace.dir,
    );
    const nodePath = typeof values.node === 'string' ? values.node : undefined;
    const report = await untilTerminated(io.signal, (signal) =>
      gradeWorkspace(workspace, {
        leakCheck: everyExerciseCheck((options) => checkApp({ ...options, diff: inProcessDiff })),
        signal,
        ...(nodePath ? { nodePath } : {}),
        onProgress: (message) => io.err(printable(message)),
      }),
    );
    if (typeof values.junit === 'string')
      await writeFile(resolve(io.cwd, values.junit), toJUnitXml(report));
    if (values.autograding === true) {
      const result = toAutogradingResult(report, workspace.exercise.manifest.tests.command);
      if (outputFile) await appendFile(outputFile, autogradingOutputLine(result));
      else io.out(JSON.stringify(result, null, 2));
    }
    if (values.json === true) io.out(JSON.stringify(report, null, 2));
    const human = formatGrade(report);
    if (report.passed) {
      const debrief = await readDebrief(workspace);
      if (debrief !== undefined) human.push('', printableLines(debrief).trimEnd());
    }
    for (const line of human) (values.json === true || autogradingOnStdout ? io.err : io.out)(line);
    return report.passed ? 0 : 1;
  },
};
