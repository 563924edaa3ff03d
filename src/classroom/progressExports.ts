import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { findProblems, type ExerciseProgress } from '../progress/model';
import { ProgressExportError } from './errors';

/**
 * Reading many learners' progress for the class report. Two kinds of file count: the editor's
 * export (_Export Progress…_, `ProgressExport`) and a workspace's `.leakhunt/progress.json` (the
 * store that `leakhunt hint`/`verify` write, e.g. in a learner's clone of a classroom template).
 * Both come from learners, so both are untrusted: size-capped, checked with the store's own
 * validator, and never half-used.
 */

/** One file's worth of a learner's progress. */
export interface LearnerProgress {
  learner: string;
  /** The file it came from, as given or found. */
  source: string;
  exportedAt?: string;
  exercises: ExerciseProgress[];
}

export interface ReadProgressResult {
  learners: LearnerProgress[];
  /** Files that could not be used, one line each, for the user to look at. */
  warnings: string[];
  /** JSON files in the folders read that are not progress (package.json, exercise.json…). */
  skipped: number;
}

/** No learner's export is this large (a year of daily work is a few hundred kilobytes). */
const MAX_FILE_BYTES = 8 * 1024 * 1024;
/** Enough for any class; stops a mistaken `report /` from reading a whole disk. */
const MAX_FILES = 20_000;
const SKIPPED_FOLDERS = new Set(['node_modules', '.git']);

type Parsed = { kind: 'progress'; value: LearnerProgress } | { kind: 'other' };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `ada/.leakhunt/progress.json` belongs to `ada`; any other store file is named by itself. */
function learnerOfStore(file: string): string {
  const folder = dirname(file);
  return basename(folder) === '.leakhunt'
    ? basename(dirname(folder))
    : basename(file).replace(/\.json$/i, '');
}

/** Interprets one parsed JSON document; throws `ProgressExportError` for a damaged one. */
function interpret(file: string, data: unknown): Parsed {
  if (!isObject(data) || !('schemaVersion' in data) || !('exercises' in data))
    return { kind: 'other' };
  const problem = (what: string) => new ProgressExportError(file, what);
  if (Array.isArray(data.exercises)) {
    // An export: the exercises as a list, with who and when.
    if (typeof data.learner !== 'string' || !data.learner.trim())
      throw problem('the export names no learner');
    const byId: Record<string, unknown> = {};
    for (const entry of data.exercises) {
      const id = isObject(entry) ? entry.exerciseId : undefined;
      if (typeof id !== 'string') throw problem('an exercise has no exerciseId');
      if (id in byId) throw problem(`exercise '${id}' appears twice`);
      byId[id] = entry;
    }
    const problems = findProblems({ schemaVersion: data.schemaVersion, exercises: byId });
    if (problems.length) throw problem(problems.slice(0, 3).join('; '));
    return {
      kind: 'progress',
      value: {
        learner: data.learner.trim(),
        source: file,
        ...(typeof data.exportedAt === 'string' ? { exportedAt: data.exportedAt } : {}),
        exercises: data.exercises as ExerciseProgress[],
      },
    };
  }
  const problems = findProblems(data);
  if (problems.length) throw problem(problems.slice(0, 3).join('; '));
  return {
    kind: 'progress',
    value: {
      learner: learnerOfStore(file),
      source: file,
      exercises: Object.values(data.exercises as Record<string, ExerciseProgress>),
    },
  };
}

async function readOne(file: string): Promise<Parsed> {
  const { size } = await stat(file);
  if (size > MAX_FILE_BYTES)
    throw new ProgressExportError(file, `larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`);
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw new ProgressExportError(file, 'not valid JSON');
  }
  return interpret(file, data);
}

async function jsonFilesUnder(dir: string, found: string[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (found.length > MAX_FILES)
      throw new ProgressExportError(dir, `more than ${MAX_FILES} JSON files below it`);
    const path = join(dir, entry.name);
    if (entry.isDirectory() && !SKIPPED_FOLDERS.has(entry.name)) await jsonFilesUnder(path, found);
    else if (entry.isFile() && entry.name.toLowerCase().endsWith('.json')) found.push(path);
  }
}

/**
 * Reads every file named and every `*.json` below every folder named (symbolic links are not
 * followed). A named file that is not progress, or any damaged progress file, becomes a
 * warning; other JSON files found in folders are only counted.
 */
export async function readProgressExports(
  inputs: readonly string[],
  cwd: string,
): Promise<ReadProgressResult> {
  const learners: LearnerProgress[] = [];
  const warnings: string[] = [];
  let skipped = 0;
  for (const input of inputs) {
    const path = resolve(cwd, input);
    const info = await stat(path);
    const named = !info.isDirectory();
    const files: string[] = [];
    if (named) files.push(path);
    else await jsonFilesUnder(path, files);
    for (const file of files.sort()) {
      const shown = relative(cwd, file) || file;
      try {
        const parsed = await readOne(file);
        if (parsed.kind === 'progress') learners.push({ ...parsed.value, source: shown });
        else if (named) warnings.push(`${shown}: not a Leak Hunt progress export`);
        else skipped++;
      } catch (error) {
        if (!(error instanceof ProgressExportError)) throw error;
        warnings.push(`${shown}: ${error.problem}`);
      }
    }
  }
  return { learners, warnings, skipped };
}
