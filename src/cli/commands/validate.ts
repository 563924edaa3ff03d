import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { checkApp, inProcessDiff } from '../../hunt';
import { loadExercise, readCatalog, validateExercise, type Exercise } from '../../exercises';
import {
  formatMargin,
  REQUIRED_MARGIN,
  survivingBytesPerRequest,
  type ExerciseValidation,
  type VariantCheck,
  type VariantResult,
} from '../../exercises';
import { requireCommandsAllowed } from '../../exercises/consent';
import { UsageError, type CliCommand } from '../command';
import { allowCommandsOption } from './hunt';

function testsCell(variant: VariantResult): string {
  if (variant.setup && variant.setup.exitCode !== 0) return 'setup failed';
  const tests = variant.tests;
  if (!tests) return '-';
  if (tests.timedOut) return 'timed out';
  return tests.exitCode === 0 ? 'pass' : `fail (exit ${String(tests.exitCode)})`;
}

/** Verdict, surviving bytes per request, threshold and margin of one check. */
function checkCells(check: VariantCheck | undefined): string[] {
  if (!check) return ['-', '-', '-', '-', '-'];
  const report = check.report;
  if (!report) return [check.label, 'error', '-', '-', '-'];
  return [
    check.label,
    report.verdict,
    String(Math.round(survivingBytesPerRequest(report))),
    String(report.thresholdBytesPerRequest),
    formatMargin(check.margin),
  ];
}

function variantLabel(variant: VariantResult): string {
  return variant.variant.startsWith('leak:')
    ? `leak ${variant.variant.slice('leak:'.length)} alone`
    : variant.variant;
}

/**
 * The results table: one row per check of each exercise variant (surviving bytes per request,
 * threshold and margin), then the reasons for every failure.
 */
export function formatValidation(results: ExerciseValidation[], wallMs?: number): string {
  const rows = [
    [
      'exercise',
      'variant',
      'tests',
      'check',
      'verdict',
      'B/req',
      'threshold',
      'margin',
      'result',
      'time',
    ],
  ];
  const notes: string[] = [];
  for (const result of results) {
    if (result.problems.length) {
      rows.push([
        result.id,
        ...Array<string>(7).fill('-'),
        'INVALID',
        `${(result.durationMs / 1000).toFixed(1)}s`,
      ]);
      notes.push(...result.problems.map((p) => `${result.id}: ${p}`));
    }
    for (const variant of result.variants) {
      const checks = variant.checks.length ? variant.checks : [undefined];
      checks.forEach((check, i) => {
        const first = i === 0;
        rows.push([
          first ? result.id : '',
          first ? variantLabel(variant) : '',
          first ? testsCell(variant) : '',
          ...checkCells(check),
          first ? (variant.failures.length ? 'FAIL' : 'ok') : '',
          first ? `${(variant.durationMs / 1000).toFixed(1)}s` : '',
        ]);
      });
      notes.push(...variant.failures.map((f) => `${result.id} [${variantLabel(variant)}]: ${f}`));
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
  const failed = results.filter((r) => !r.ok).length;
  const total = wallMs ?? results.reduce((sum, r) => sum + r.durationMs, 0);
  lines.push(
    '',
    `${results.length - failed}/${results.length} exercises valid in ${(total / 1000).toFixed(1)}s` +
      ` (margins of at least ${REQUIRED_MARGIN}× required)`,
  );
  return [...lines, ...(notes.length ? ['', ...notes] : [])].join('\n');
}

/**
 * Runs `work` on every item with at most `jobs` at once; results keep the items' order. A
 * failure (Ctrl-C) stops handing out new items and is rethrown once the running ones end.
 */
export async function mapWithJobs<T, R>(
  items: readonly T[],
  jobs: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index]!);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}

async function exercisesIn(dir: string): Promise<Exercise[]> {
  if (existsSync(join(dir, 'set.json'))) return (await readCatalog(dir)).exercises;
  if (existsSync(join(dir, 'exercise.json'))) return [await loadExercise(dir)];
  throw new UsageError(`${dir} holds neither set.json nor exercise.json`);
}

/**
 * Exercises validated at once by default: one per core, at most 4. A check spends part of its
 * time waiting (services starting, snapshots written); measured on 2 cores, side by side was
 * never slower and the margins stayed the same (figures in docs/exercise-format.md).
 */
const DEFAULT_JOBS = Math.min(4, availableParallelism());

/** `leakhunt validate`: proves every exercise's leak leaks, its fix does not, and its tests tell them apart. */
export const validateCommand: CliCommand = {
  usage: '<exercise-or-set-dir>',
  options: {
    json: { type: 'boolean', description: 'Print the results as JSON' },
    node: {
      type: 'string',
      valueName: '<path>',
      description: 'Node binary for services and tests',
    },
    'allow-commands': allowCommandsOption,
    jobs: {
      type: 'string',
      valueName: '<n>',
      description: `Exercises validated at once (default ${DEFAULT_JOBS}); each runs its variants in turn`,
    },
  },
  examples: [
    'leakhunt validate exercises',
    'leakhunt validate exercises --jobs 1',
    'leakhunt validate exercises/cart --json',
  ],
  async run({ positionals, values }, io) {
    if (positionals.length !== 1) throw new UsageError('expects one exercise or set folder');
    const jobs = values.jobs === undefined ? DEFAULT_JOBS : Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 16)
      throw new UsageError('--jobs expects a whole number from 1 to 16');
    const dir = resolve(io.cwd, positionals[0]!);
    const exercises = await exercisesIn(dir);
    for (const exercise of exercises)
      await requireCommandsAllowed(exercise, values['allow-commands'] === true);
    const nodePath = typeof values.node === 'string' ? values.node : undefined;
    const started = Date.now();
    const results = await mapWithJobs(exercises, jobs, async (exercise) => {
      io.err(`validate: ${exercise.manifest.id}…`);
      const result = await validateExercise(exercise, {
        leakCheck: (options) => checkApp({ ...options, diff: inProcessDiff }),
        signal: io.signal,
        ...(nodePath ? { nodePath } : {}),
        onProgress: (message) => io.err(`  ${message}`),
      });
      io.err(
        `validate: ${exercise.manifest.id} ${result.ok ? 'ok' : 'FAILED'} in ${(result.durationMs / 1000).toFixed(1)}s`,
      );
      return result;
    });
    const wallMs = Date.now() - started;
    if (values.json) io.out(JSON.stringify(results, jsonReplacer, 2));
    else io.out(formatValidation(results, wallMs));
    return results.every((r) => r.ok) ? 0 : 1;
  },
};

// Command output can be long; JSON keeps only its tail so the report stays readable.
function jsonReplacer(key: string, value: unknown): unknown {
  if (key === 'output' && typeof value === 'string') return value.split('\n').slice(-20).join('\n');
  return value;
}
