import { resolve } from 'node:path';
import { formatBytes } from '../../common/format';
import { printable, printableLines } from '../../common/text';
import { requireCommandsAllowed } from '../../exercises/consent';
import { everyExerciseCheck } from '../../exercises/leaks';
import { checkApp, inProcessDiff } from '../../hunt';
import { readDebrief } from '../../learner/debrief';
import { verifyWorkspace, setupFailureText, type VerifyOutcome } from '../../learner/verify';
import { fingerprintFiles, runOnChange } from '../../learner/watch';
import { readLearnerWorkspace, type LearnerWorkspace } from '../../learner/workspace';
import { UsageError, type CliCommand, type CliIo } from '../command';
import { allowCommandsOption, untilTerminated } from './hunt';

/** What a learner needs to see after a run: failures first, then the verdict and where they stand. */
export function formatVerify(outcome: VerifyOutcome): string[] {
  if (outcome.setupFailure) return [printable(setupFailureText(outcome.setupFailure))];
  const lines: string[] = [];
  const tests = outcome.tests;
  if (tests) {
    for (const test of tests.tests.filter((t) => t.status === 'failed')) {
      lines.push(printable(`✗ ${test.path.join(' › ')}`));
      for (const line of (test.message ?? '').split('\n').slice(0, 8))
        lines.push(printable(`    ${line}`));
    }
    lines.push(
      `Tests: ${tests.passed} passed, ${tests.failed} failed${tests.skipped ? `, ${tests.skipped} skipped` : ''}`,
    );
    if (tests.failed > 0 && tests.tests.every((t) => t.status !== 'failed'))
      lines.push(printable(tests.result.output.trimEnd().split('\n').slice(-10).join('\n')));
  }
  if (outcome.check) {
    const check = outcome.check;
    const surviving = check.evidence.survivingBytesPerRequest ?? check.bytesPerRequest;
    const said = { leak: 'still leaking', 'no-leak': 'no leak', inconclusive: 'inconclusive' };
    lines.push(
      printable(
        `Leak check: ${said[check.verdict]} — ${formatBytes(surviving)} per request survives in ` +
          `'${check.service}' (threshold ${formatBytes(check.thresholdBytesPerRequest)}).`,
      ),
    );
    if (check.verdict !== 'no-leak') lines.push(printable(`  ${check.reason}`));
  } else if (outcome.checkError)
    lines.push(printable(`Leak check: no verdict (${outcome.checkError})`));
  else if (tests && tests.failed > 0) lines.push('Leak check: runs once the tests pass.');
  lines.push(
    outcome.solved
      ? 'Solved: the tests pass and the leak is gone.'
      : `Not solved yet (${outcome.progress?.hints.length ?? 0} hint(s) used; leakhunt hint <dir> for the next).`,
  );
  return lines;
}

async function verifyOnce(
  workspace: LearnerWorkspace,
  values: Record<string, unknown>,
  io: CliIo,
  signal: AbortSignal,
): Promise<VerifyOutcome> {
  const nodePath = typeof values.node === 'string' ? values.node : undefined;
  const outcome = await verifyWorkspace(workspace, {
    leakCheck: everyExerciseCheck((options) => checkApp({ ...options, diff: inProcessDiff })),
    signal,
    ...(nodePath ? { nodePath } : {}),
    onProgress: (message) => io.err(printable(message)),
  });
  for (const line of formatVerify(outcome)) io.out(line);
  if (outcome.solved) {
    const debrief = await readDebrief(workspace);
    if (debrief !== undefined) io.out(`\n${printableLines(debrief).trimEnd()}`);
  }
  return outcome;
}

/** `leakhunt verify`: the exercise's tests and leak check on a learner's folder, once or on every save. */
export const verifyCommand: CliCommand = {
  usage: '<dir>',
  options: {
    watch: { type: 'boolean', description: 'Run again whenever a file of the exercise changes' },
    node: {
      type: 'string',
      valueName: '<path>',
      description: 'Node binary for services and tests',
    },
    'allow-commands': allowCommandsOption,
  },
  examples: ['leakhunt verify ~/leaks/user-sessions', 'leakhunt verify . --watch'],
  async run({ positionals, values }, io) {
    if (positionals.length !== 1) throw new UsageError('expects the exercise folder');
    const workspace = await readLearnerWorkspace(resolve(io.cwd, positionals[0]!));
    await requireCommandsAllowed(
      workspace.exercise,
      values['allow-commands'] === true,
      workspace.dir,
    );
    if (values.watch !== true) {
      const outcome = await untilTerminated(io.signal, (signal) =>
        verifyOnce(workspace, values, io, signal),
      );
      return outcome.solved ? 0 : 1;
    }
    const files = Object.keys(workspace.marker.files);
    await untilTerminated(io.signal, (signal) =>
      runOnChange({
        dir: workspace.dir,
        fingerprint: () => fingerprintFiles(workspace.dir, files),
        signal,
        run: async () => {
          try {
            await verifyOnce(workspace, values, io, signal);
          } catch (error) {
            if (signal.aborted) return;
            io.err(printable(`verify: ${(error as Error).message}`));
          }
          io.err('Watching for changes (Ctrl-C to stop)…');
        },
      }),
    );
    return 0;
  },
};
