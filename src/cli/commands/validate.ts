import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkApp, inProcessDiff } from '../../hunt';
import { loadExercise, readCatalog, validateExercise, type Exercise } from '../../exercises';
import type { ExerciseValidation, VariantResult } from '../../exercises';
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

function checkCell(variant: VariantResult): string {
  const check = variant.check;
  if (!check) return '-';
  const surviving = check.evidence.survivingBytesPerRequest ?? check.bytesPerRequest;
  return `${check.verdict} ${Math.round(surviving)} B/req (limit ${check.thresholdBytesPerRequest})`;
}

/** The results table: one row per exercise variant, then the reasons for every failure. */
export function formatValidation(results: ExerciseValidation[]): string {
  const rows = [['exercise', 'variant', 'tests', 'leak check', 'result', 'time']];
  const notes: string[] = [];
  for (const result of results) {
    if (result.problems.length) {
      rows.push([result.id, '-', '-', '-', 'INVALID', `${(result.durationMs / 1000).toFixed(1)}s`]);
      notes.push(...result.problems.map((p) => `${result.id}: ${p}`));
    }
    for (const variant of result.variants) {
      rows.push([
        result.id,
        variant.variant,
        testsCell(variant),
        checkCell(variant),
        variant.failures.length ? 'FAIL' : 'ok',
        `${(variant.durationMs / 1000).toFixed(1)}s`,
      ]);
      notes.push(...variant.failures.map((f) => `${result.id} [${variant.variant}]: ${f}`));
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
  const total = results.reduce((sum, r) => sum + r.durationMs, 0);
  lines.push(
    '',
    `${results.length - failed}/${results.length} exercises valid in ${(total / 1000).toFixed(1)}s`,
  );
  return [...lines, ...(notes.length ? ['', ...notes] : [])].join('\n');
}

async function exercisesIn(dir: string): Promise<Exercise[]> {
  if (existsSync(join(dir, 'set.json'))) return (await readCatalog(dir)).exercises;
  if (existsSync(join(dir, 'exercise.json'))) return [await loadExercise(dir)];
  throw new UsageError(`${dir} holds neither set.json nor exercise.json`);
}

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
  },
  examples: ['leakhunt validate exercises', 'leakhunt validate exercises/cart --json'],
  async run({ positionals, values }, io) {
    if (positionals.length !== 1) throw new UsageError('expects one exercise or set folder');
    const dir = resolve(io.cwd, positionals[0]!);
    const exercises = await exercisesIn(dir);
    for (const exercise of exercises)
      await requireCommandsAllowed(exercise, values['allow-commands'] === true);
    const nodePath = typeof values.node === 'string' ? values.node : undefined;
    const results: ExerciseValidation[] = [];
    for (const exercise of exercises) {
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
      results.push(result);
    }
    if (values.json) io.out(JSON.stringify(results, jsonReplacer, 2));
    else io.out(formatValidation(results));
    return results.every((r) => r.ok) ? 0 : 1;
  },
};

// Command output can be long; JSON keeps only its tail so the report stays readable.
function jsonReplacer(key: string, value: unknown): unknown {
  if (key === 'output' && typeof value === 'string') return value.split('\n').slice(-20).join('\n');
  return value;
}
