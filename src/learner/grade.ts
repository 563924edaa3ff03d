import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { withTemporaryDir } from '../exercises/appCopy';
import { listFiles, toNative } from '../exercises/files';
import { describeExit, outputTail, runSetup } from '../exercises/runner';
import type { LeakCheck } from '../exercises/validate';
import { runReportedTests } from './testRun';
import type { LearnerWorkspace } from './workspace';

/**
 * Grading a learner's workspace: setup, the exercise's tests and the leak check, one result per
 * test and one for the check, each with points. Points come from the manifest's optional
 * `points`: each passing test earns `perTest` (default 1), a passing leak check earns `check`
 * (default: as much as all the tests together, so fixing the leak weighs as much as the tests).
 */

export type GradeStatus = 'pass' | 'fail' | 'error' | 'skipped';

/** One graded item: a test, or the leak check. */
export interface GradedItem {
  name: string;
  status: GradeStatus;
  points: number;
  maxPoints: number;
  /** Why it failed (the assertion, the verdict's reason); absent when it passed. */
  message?: string;
  durationMs?: number;
  /** Where the test is declared, relative to the workspace. */
  file?: string;
  line?: number;
}

export interface GradeReport {
  exerciseId: string;
  title: string;
  workspace: string;
  /** Every test, in the order the runner reported them. */
  tests: GradedItem[];
  check: GradedItem;
  /** What the setup step printed last, when it failed. */
  setupFailure?: string;
  score: number;
  maxScore: number;
  /** True when every test and the check passed. */
  passed: boolean;
  startedAt: string;
  durationMs: number;
}

export interface GradeOptions {
  leakCheck: LeakCheck;
  nodePath?: string;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

function firstLines(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(0, lines).join('\n');
}

/**
 * Grades a copy of the workspace (its files without `node_modules`, `.git` and `.leakhunt`), so
 * a build or the tests never write into the learner's folder and stray state there counts for
 * nothing. Throws only when grading itself could not happen; a learner's broken build, crashing
 * tests or crashing service are failures in the report.
 */
export async function gradeWorkspace(
  workspace: LearnerWorkspace,
  options: GradeOptions,
): Promise<GradeReport> {
  const started = Date.now();
  const { manifest } = workspace.exercise;
  const say = (message: string): void => options.onProgress?.(message);
  const run = {
    ...(options.nodePath ? { nodePath: options.nodePath } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const perTest = manifest.points?.perTest ?? 1;
  return withTemporaryDir(`leakhunt-grade-${manifest.id}-`, async (appDir) => {
    for (const rel of await listFiles(workspace.dir)) {
      const target = toNative(appDir, rel);
      await mkdir(dirname(target), { recursive: true });
      await copyFile(toNative(workspace.dir, rel), target);
    }
    const tests: GradedItem[] = [];
    let setupFailure: string | undefined;
    if (manifest.setup) {
      say(`setup: ${manifest.setup.command}`);
      const setup = await runSetup(manifest, appDir, run);
      options.signal?.throwIfAborted();
      if (setup && setup.exitCode !== 0)
        setupFailure = `setup '${setup.command}' failed (${describeExit(setup)}):\n${outputTail(setup)}`;
    }
    if (setupFailure) {
      tests.push({
        name: 'tests',
        status: 'fail',
        points: 0,
        maxPoints: perTest,
        message: setupFailure,
      });
    } else {
      say(`tests: ${manifest.tests.command}`);
      const testRun = await runReportedTests(manifest, appDir, run);
      options.signal?.throwIfAborted();
      for (const test of testRun.tests) {
        const status: GradeStatus =
          test.status === 'passed' ? 'pass' : test.status === 'failed' ? 'fail' : 'skipped';
        tests.push({
          name: test.path.join(' › '),
          status,
          // A test the exercise itself skips is worth nothing either way.
          points: status === 'pass' ? perTest : 0,
          maxPoints: status === 'skipped' ? 0 : perTest,
          ...(status === 'fail' ? { message: firstLines(test.message ?? 'failed') } : {}),
          ...(test.durationMs !== undefined ? { durationMs: test.durationMs } : {}),
          ...(test.location
            ? { file: relative(appDir, test.location.file), line: test.location.line }
            : {}),
        });
      }
      const failedTests = testRun.tests.filter((t) => t.status === 'failed').length;
      // A run that failed with no failing test (it crashed, timed out, reported nothing) fails too.
      if (testRun.result.exitCode !== 0 && failedTests === 0)
        tests.push({
          name: `tests: ${manifest.tests.command}`,
          status: 'fail',
          points: 0,
          maxPoints: perTest,
          message: `the test command ended with ${describeExit(testRun.result)}:\n${outputTail(testRun.result)}`,
        });
      else if (testRun.tests.length === 0)
        tests.push({
          name: `tests: ${manifest.tests.command}`,
          status: 'pass',
          points: perTest,
          maxPoints: perTest,
        });
    }
    const testsMax = tests.reduce((sum, t) => sum + t.maxPoints, 0);
    const checkMax = manifest.points?.check ?? testsMax;
    const checkName = `leak check: '${manifest.check.service}' keeps under ${manifest.check.thresholdBytesPerRequest} B per request`;
    let check: GradedItem;
    if (setupFailure) {
      check = {
        name: checkName,
        status: 'fail',
        points: 0,
        maxPoints: checkMax,
        message: 'setup failed',
      };
    } else {
      say(`leak check on '${manifest.check.service}'`);
      const checkStarted = Date.now();
      try {
        const report = await options.leakCheck({
          appDir,
          manifest,
          ...run,
          onEvent: (event) => say(event.message),
        });
        const passed = report.verdict === 'no-leak';
        check = {
          name: checkName,
          status: passed ? 'pass' : 'fail',
          points: passed ? checkMax : 0,
          maxPoints: checkMax,
          durationMs: Date.now() - checkStarted,
          ...(passed
            ? {}
            : {
                message: `${report.verdict}: ${report.reason}${report.advice ? ` ${report.advice.text}` : ''}`,
              }),
        };
      } catch (error) {
        if (options.signal?.aborted) throw error;
        check = {
          name: checkName,
          status: 'error',
          points: 0,
          maxPoints: checkMax,
          durationMs: Date.now() - checkStarted,
          message: `the leak check reached no verdict: ${(error as Error).message}`,
        };
      }
    }
    const all = [...tests, check];
    return {
      exerciseId: manifest.id,
      title: manifest.title,
      workspace: workspace.dir,
      tests,
      check,
      ...(setupFailure ? { setupFailure } : {}),
      score: all.reduce((sum, item) => sum + item.points, 0),
      maxScore: all.reduce((sum, item) => sum + item.maxPoints, 0),
      passed: all.every((item) => item.status === 'pass' || item.status === 'skipped'),
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
    };
  });
}
