import { join } from 'node:path';
import type { HuntEvent, HuntReport } from '../hunt/types';
import { prepareAppCopy, withTemporaryDir } from './appCopy';
import { exerciseFileProblems, type Exercise } from './exercise';
import type { ExerciseManifest } from './manifest';
import { describeExit, outputTail, runTests, type CommandResult } from './runner';

/** Runs the live leak check on an app folder (`checkApp` from the hunt pipeline, in production). */
export type LeakCheck = (options: {
  appDir: string;
  manifest: ExerciseManifest;
  nodePath?: string;
  signal?: AbortSignal;
  onEvent?: (event: HuntEvent) => void;
}) => Promise<HuntReport>;

/** One exercise variant (the pristine app or the app with the solution applied), as validated. */
export interface VariantResult {
  variant: 'pristine' | 'solution';
  setup?: CommandResult;
  tests?: CommandResult;
  check?: HuntReport;
  /** What went against expectations, one line each; empty when the variant behaved. */
  failures: string[];
  durationMs: number;
}

export interface ExerciseValidation {
  id: string;
  dir: string;
  problems: string[];
  variants: VariantResult[];
  ok: boolean;
  durationMs: number;
}

export interface ValidateOptions {
  leakCheck: LeakCheck;
  nodePath?: string;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

async function validateVariant(
  exercise: Exercise,
  variant: VariantResult['variant'],
  workDir: string,
  options: ValidateOptions,
): Promise<VariantResult> {
  const started = Date.now();
  const { manifest } = exercise;
  const say = (message: string): void =>
    options.onProgress?.(`${manifest.id} [${variant}] ${message}`);
  const appDir = join(workDir, variant);
  const result: VariantResult = { variant, failures: [], durationMs: 0 };
  const finish = (): VariantResult => ({ ...result, durationMs: Date.now() - started });
  const run = {
    ...(options.nodePath ? { nodePath: options.nodePath } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const setup = await prepareAppCopy(exercise, appDir, {
    ...run,
    withSolution: variant === 'solution',
    onProgress: say,
  });
  if (setup) {
    result.setup = setup;
    if (setup.exitCode !== 0) {
      result.failures.push(`setup failed (${describeExit(setup)}):\n${outputTail(setup)}`);
      return finish();
    }
  }
  // Ctrl-C stops validation at the next step instead of reporting an aborted step as a failure.
  options.signal?.throwIfAborted();
  say(`tests: ${manifest.tests.command}`);
  result.tests = await runTests(manifest, appDir, run);
  const passed = result.tests.exitCode === 0;
  if (result.tests.timedOut || result.tests.aborted || result.tests.exitCode === null)
    result.failures.push(`tests did not finish (${describeExit(result.tests)})`);
  else if (variant === 'pristine' && passed)
    result.failures.push('tests pass on the pristine app; they should fail');
  else if (variant === 'solution' && !passed)
    result.failures.push(`tests fail with the solution applied:\n${outputTail(result.tests)}`);
  options.signal?.throwIfAborted();
  say(`leak check on '${manifest.check.service}'`);
  try {
    result.check = await options.leakCheck({
      appDir,
      manifest,
      ...run,
      onEvent: (event) => say(event.message),
    });
    const expected = variant === 'pristine' ? 'leak' : 'no-leak';
    if (result.check.verdict !== expected)
      result.failures.push(
        `leak check says ${result.check.verdict}, expected ${expected}: ${result.check.reason}`,
      );
  } catch (error) {
    if (options.signal?.aborted) throw error;
    result.failures.push(`leak check failed: ${(error as Error).message}`);
  }
  return finish();
}

/**
 * Proves one exercise right: its files exist; on the pristine app the tests fail and the leak
 * check says leak; with the solution applied (in a temporary copy) the tests pass and the check
 * says no leak. Runs setup first when declared. Never modifies the exercise folder.
 */
export async function validateExercise(
  exercise: Exercise,
  options: ValidateOptions,
): Promise<ExerciseValidation> {
  const started = Date.now();
  const problems = (await exerciseFileProblems(exercise)).map((p) => `${p.where}: ${p.message}`);
  const base = { id: exercise.manifest.id, dir: exercise.dir, problems };
  if (problems.length)
    return { ...base, variants: [], ok: false, durationMs: Date.now() - started };
  return withTemporaryDir(`leakhunt-validate-${exercise.manifest.id}-`, async (workDir) => {
    const variants: VariantResult[] = [];
    for (const variant of ['pristine', 'solution'] as const)
      variants.push(await validateVariant(exercise, variant, workDir, options));
    const ok = variants.every((v) => v.failures.length === 0);
    return { ...base, variants, ok, durationMs: Date.now() - started };
  });
}
