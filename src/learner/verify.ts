import { performance } from 'node:perf_hooks';
import type { HuntReport } from '../hunt/types';
import { describeExit, outputTail, runSetup, type CommandResult } from '../exercises/runner';
import type { LeakCheck } from '../exercises/validate';
import type { ExerciseProgress } from '../progress/model';
import { runReportedTests, type ReportedTestRun } from './testRun';
import { aboutExercise, learnerProgress, type LearnerWorkspace } from './workspace';

/** What one `leakhunt verify` run found, and the progress it recorded. */
export interface VerifyOutcome {
  /** The setup step, when it failed (nothing else ran). */
  setupFailure?: CommandResult;
  tests?: ReportedTestRun;
  /** The leak check's report; absent when the tests failed (it runs only once they pass). */
  check?: HuntReport;
  /** Why the leak check reached no verdict. */
  checkError?: string;
  progress?: ExerciseProgress;
  /** Tests green and no leak. */
  solved: boolean;
  durationMs: number;
}

export interface VerifyOptions {
  leakCheck: LeakCheck;
  nodePath?: string;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

/**
 * Checks a learner's fix in place, as the editor's Testing view does: setup (when declared),
 * the tests, then — once they pass — the leak check. Each run is recorded in the workspace's
 * progress store, which marks the exercise solved when both are green.
 */
export async function verifyWorkspace(
  workspace: LearnerWorkspace,
  options: VerifyOptions,
): Promise<VerifyOutcome> {
  const started = performance.now();
  const { manifest } = workspace.exercise;
  const run = {
    ...(options.nodePath ? { nodePath: options.nodePath } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const say = (message: string): void => options.onProgress?.(message);
  const finish = (outcome: Omit<VerifyOutcome, 'durationMs'>): VerifyOutcome => ({
    ...outcome,
    durationMs: performance.now() - started,
  });
  if (manifest.setup) {
    say(`setup: ${manifest.setup.command}`);
    const setup = await runSetup(manifest, workspace.dir, run);
    options.signal?.throwIfAborted();
    if (setup && setup.exitCode !== 0) return finish({ setupFailure: setup, solved: false });
  }
  const store = learnerProgress(workspace);
  const about = aboutExercise(workspace);
  try {
    await store.start(manifest.id, about);
    say(`tests: ${manifest.tests.command}`);
    const tests = await runReportedTests(manifest, workspace.dir, run);
    options.signal?.throwIfAborted();
    let progress = await store.recordTestRun(manifest.id, {
      passed: tests.passed,
      failed: tests.failed,
      skipped: tests.skipped,
    });
    if (tests.failed > 0) return finish({ tests, progress, solved: false });
    say(`leak check on '${manifest.check.service}'`);
    try {
      const check = await options.leakCheck({
        appDir: workspace.dir,
        manifest,
        ...run,
        onEvent: (event) => say(event.message),
      });
      progress = await store.recordLeakCheck(manifest.id, {
        verdict: check.verdict,
        bytesPerRequest: check.evidence.survivingBytesPerRequest ?? check.bytesPerRequest,
      });
      return finish({ tests, check, progress, solved: check.verdict === 'no-leak' });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      progress = await store.recordLeakCheck(manifest.id, { verdict: 'error' });
      return finish({ tests, checkError: (error as Error).message, progress, solved: false });
    }
  } finally {
    store.dispose();
  }
}

/** Why setup failed, in a few lines. */
export function setupFailureText(result: CommandResult): string {
  return `setup '${result.command}' failed (${describeExit(result)}):\n${outputTail(result)}`;
}
