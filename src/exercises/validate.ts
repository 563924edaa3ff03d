import { join } from 'node:path';
import type { HuntReport } from '../hunt/types';
import { prepareAppCopy, withTemporaryDir } from './appCopy';
import { exerciseFileProblems, type Exercise } from './exercise';
import {
  exerciseChecks,
  leaksOf,
  survivingBytesPerRequest,
  type ExerciseCheck,
  type LeakCheck,
} from './leaks';

export type { LeakCheck } from './leaks';
import type { ExerciseManifest } from './manifest';
import { describeExit, outputTail, runTests, type CommandResult } from './runner';

/**
 * How far a verdict is from its threshold, in both directions: a leak must survive at least
 * twice the threshold per request, a fix at most half of it, so load on the machine or a
 * slightly different Node cannot flip the verdict.
 */
export const REQUIRED_MARGIN = 2;

/**
 * The variants validated: the pristine app (every leak in), each leak alone (the solution
 * without that leak's files), and the full solution. A no-leak exercise has only its pristine.
 */
export type VariantName = 'pristine' | 'solution' | `leak:${string}`;

/** One leak check of a variant, with what it had to say. */
export interface VariantCheck {
  /** "check", or "check for leak 2" (a leak's own check). */
  label: string;
  expected: 'leak' | 'no-leak';
  report?: HuntReport;
  /**
   * Surviving bytes per request ÷ threshold when a leak is expected, threshold ÷ surviving when
   * none is (Infinity when nothing survived); at least `REQUIRED_MARGIN` to pass.
   */
  margin?: number;
  /** Why the check reached no report (the service crashed, the run failed). */
  error?: string;
}

/** One exercise variant, as validated. */
export interface VariantResult {
  variant: VariantName;
  setup?: CommandResult;
  tests?: CommandResult;
  checks: VariantCheck[];
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

/** What one variant is made of and what it must show. */
interface VariantPlan {
  name: VariantName;
  /** Lay the solution over the app, without these files (a leak's `fixedBy`). */
  solution?: { except: readonly string[] };
  testsPass: boolean;
  /**
   * The checks to run. A leak variant passes when one of them says leak (the first that does
   * ends the list); a fixed variant needs every one to say no leak.
   */
  checks: ExerciseCheck[];
  expected: 'leak' | 'no-leak';
}

/**
 * The variants of an exercise. "Leak X alone" is checked by X's own check when it has one, else
 * by the top-level check; the pristine app (unless there is exactly one leak: then it is that
 * leak alone) and the solution by every check, as a learner's check runs them.
 */
function variantPlans(manifest: ExerciseManifest): VariantPlan[] {
  const all = exerciseChecks(manifest);
  if (manifest.expect === 'no-leak')
    return [{ name: 'pristine', testsPass: true, checks: all, expected: 'no-leak' }];
  const leaks = leaksOf(manifest);
  const plans: VariantPlan[] = [];
  if (leaks.length !== 1)
    plans.push({ name: 'pristine', testsPass: false, checks: all, expected: 'leak' });
  leaks.forEach((leak, i) => {
    const own = all.find((check) => check.leaks.includes(i + 1)) ?? all[0]!;
    plans.push({
      name: `leak:${leak.id}`,
      solution: { except: leak.fixedBy },
      testsPass: false,
      checks: [own],
      expected: 'leak',
    });
  });
  plans.push({
    name: 'solution',
    solution: { except: [] },
    testsPass: true,
    checks: all,
    expected: 'no-leak',
  });
  return plans;
}

function marginOf(report: HuntReport, expected: 'leak' | 'no-leak'): number {
  const surviving = survivingBytesPerRequest(report);
  const threshold = report.thresholdBytesPerRequest;
  if (expected === 'leak') return surviving / threshold;
  return surviving <= 0 ? Infinity : threshold / surviving;
}

async function validateVariant(
  exercise: Exercise,
  plan: VariantPlan,
  workDir: string,
  options: ValidateOptions,
): Promise<VariantResult> {
  const started = Date.now();
  const { manifest } = exercise;
  const say = (message: string): void =>
    options.onProgress?.(`${manifest.id} [${plan.name}] ${message}`);
  const appDir = join(workDir, plan.name.replace(':', '-'));
  const result: VariantResult = { variant: plan.name, checks: [], failures: [], durationMs: 0 };
  const finish = (): VariantResult => ({ ...result, durationMs: Date.now() - started });
  const run = {
    ...(options.nodePath ? { nodePath: options.nodePath } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const setup = await prepareAppCopy(exercise, appDir, {
    ...run,
    withSolution: plan.solution !== undefined,
    solutionExcept: plan.solution?.except ?? [],
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
  else if (!plan.testsPass && passed)
    result.failures.push(
      `tests pass ${plan.name === 'pristine' ? 'on the pristine app' : 'with this leak alone in'}; they should fail`,
    );
  else if (plan.testsPass && !passed)
    result.failures.push(
      `tests fail ${plan.name === 'solution' ? 'with the solution applied' : 'on the pristine app'}:\n${outputTail(result.tests)}`,
    );
  for (const check of plan.checks) {
    options.signal?.throwIfAborted();
    say(`${check.label} on '${check.manifest.check.service}'`);
    const outcome: VariantCheck = { label: check.label, expected: plan.expected };
    result.checks.push(outcome);
    try {
      outcome.report = await options.leakCheck({
        appDir,
        manifest: check.manifest,
        ...run,
        onEvent: (event) => say(event.message),
      });
      outcome.margin = marginOf(outcome.report, plan.expected);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      outcome.error = (error as Error).message;
    }
    // With a leak expected, one check that finds it is the proof; the rest need not run.
    if (plan.expected === 'leak' && outcome.report?.verdict === 'leak') break;
  }
  result.failures.push(...checkFailures(plan, result.checks));
  return finish();
}

function checkFailures(plan: VariantPlan, checks: VariantCheck[]): string[] {
  const failures = checks.flatMap((c) => (c.error ? [`${c.label} failed: ${c.error}`] : []));
  const wrong = (c: VariantCheck): boolean =>
    c.report !== undefined && c.report.verdict !== plan.expected;
  const thin = (c: VariantCheck): string =>
    `${c.label}: margin ${formatMargin(c.margin)} is below the ${REQUIRED_MARGIN}× required`;
  if (plan.expected === 'leak') {
    const found = checks.find((c) => c.report?.verdict === 'leak');
    if (!found)
      failures.push(
        ...checks
          .filter(wrong)
          .map((c) => `${c.label} says ${c.report!.verdict}, expected leak: ${c.report!.reason}`),
      );
    else if (found.margin! < REQUIRED_MARGIN) failures.push(thin(found));
  } else
    for (const c of checks) {
      if (wrong(c))
        failures.push(
          `${c.label} says ${c.report!.verdict}, expected no-leak: ${c.report!.reason}`,
        );
      else if (c.report && c.margin! < REQUIRED_MARGIN) failures.push(thin(c));
    }
  return failures;
}

/** "2.4×" ("167×" once the decimals say nothing), or "∞" when nothing survived a fixed variant's loads. */
export function formatMargin(margin: number | undefined): string {
  if (margin === undefined) return '-';
  if (margin === Infinity) return '∞';
  return `${margin < 100 ? margin.toFixed(1) : Math.round(margin)}×`;
}

/**
 * Proves one exercise right: its files exist; with all its leaks in and with each leak alone
 * the tests fail and the leak check says leak; with the solution applied the tests pass and
 * every check says no leak, each by a margin of `REQUIRED_MARGIN`. A no-leak exercise's pristine
 * app passes its tests and every check. Runs setup first when declared, in temporary copies:
 * never modifies the exercise folder.
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
    for (const plan of variantPlans(exercise.manifest))
      variants.push(await validateVariant(exercise, plan, workDir, options));
    const ok = variants.every((v) => v.failures.length === 0);
    return { ...base, variants, ok, durationMs: Date.now() - started };
  });
}
