import { basename, join, resolve } from 'node:path';
import { FileTooLargeError, NotRegularFileError, readRegularFile } from '../common/regularFile';
import { printable, withoutBom } from '../common/text';
import { ExerciseError, type Problem } from './errors';
import { isDirectory, isFile, listFiles, normalisedPath } from './files';
import type { ExerciseManifest, ExerciseSet } from './manifest';
import { crossReferenceProblems, manifestValidators, schemaProblems } from './schema';

/** A loaded, schema-valid exercise: its folder, the app folder inside it, and its manifest. */
export interface Exercise {
  /** Absolute path of the exercise folder. */
  dir: string;
  /** Absolute path of the app folder (what the learner gets). */
  appDir: string;
  manifest: ExerciseManifest;
}

/** Far above any real manifest (the built-in ones are under 4 KB); bigger is not a manifest. */
const MAX_MANIFEST_BYTES = 1024 * 1024;

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    // Only a regular file: a FIFO named exercise.json would block the read for good.
    text = (await readRegularFile(file, MAX_MANIFEST_BYTES)).toString('utf8');
  } catch (error) {
    const why =
      error instanceof NotRegularFileError
        ? ` (it is ${error.kind}, not a regular file)`
        : error instanceof FileTooLargeError
          ? ` (${error.size} bytes; a manifest may have ${MAX_MANIFEST_BYTES})`
          : '';
    throw new ExerciseError(
      file,
      [{ where: '', message: `${basename(file)} cannot be read${why}` }],
      { cause: error },
    );
  }
  try {
    return JSON.parse(withoutBom(text)) as unknown;
  } catch (error) {
    // JSON.parse quotes a piece of the text, which may hold control characters.
    const message = printable(error instanceof Error ? error.message : String(error));
    throw new ExerciseError(
      file,
      [{ where: '', message: `${basename(file)} is not JSON (${message})` }],
      {
        cause: error,
      },
    );
  }
}

/** Validates a parsed `exercise.json`; returns every problem (schema and cross-references). */
export function manifestProblems(value: unknown): Problem[] {
  const validate = manifestValidators().exercise;
  if (!validate(value)) return schemaProblems(validate.errors);
  return crossReferenceProblems(value);
}

/** Validates a parsed `set.json`. */
export function setProblems(value: unknown): Problem[] {
  const validate = manifestValidators().set;
  return validate(value) ? [] : schemaProblems(validate.errors);
}

/**
 * Reads and validates `<dir>/exercise.json`. Throws `ExerciseError` listing every problem with
 * its JSON pointer, so an instructor fixes them all in one pass.
 */
export async function loadExercise(dir: string): Promise<Exercise> {
  const abs = resolve(dir);
  const file = join(abs, 'exercise.json');
  const value = await readJson(file);
  const problems = manifestProblems(value);
  if (problems.length) throw new ExerciseError(file, problems);
  const manifest = value as ExerciseManifest;
  return { dir: abs, appDir: join(abs, manifest.app ?? 'app'), manifest };
}

/** Reads and validates `<setDir>/set.json`. */
export async function loadSet(setDir: string): Promise<ExerciseSet> {
  const file = join(resolve(setDir), 'set.json');
  const value = await readJson(file);
  const problems = setProblems(value);
  if (problems.length) throw new ExerciseError(file, problems);
  return value as ExerciseSet;
}

/**
 * Files the manifest names but the folder lacks: scenario, app and solution folders, and each
 * service entry (unless a setup step declares it builds them).
 */
export async function exerciseFileProblems(exercise: Exercise): Promise<Problem[]> {
  const { dir, appDir, manifest } = exercise;
  const problems: Problem[] = [];
  if (!(await isFile(join(dir, manifest.scenario))))
    problems.push({ where: '/scenario', message: `file ${manifest.scenario} is missing` });
  if (!(await isDirectory(appDir)))
    problems.push({ where: '/app', message: `folder ${manifest.app ?? 'app'} is missing` });
  if (manifest.solution !== undefined) {
    const solutionDir = join(dir, manifest.solution);
    if (await isDirectory(solutionDir))
      problems.push(...fixedByProblems(manifest, await listFiles(solutionDir)));
    else problems.push({ where: '/solution', message: `folder ${manifest.solution} is missing` });
  }
  if (manifest.debrief !== undefined && !(await isFile(join(dir, manifest.debrief))))
    problems.push({ where: '/debrief', message: `file ${printable(manifest.debrief)} is missing` });
  if (!manifest.setup) {
    for (const [i, service] of manifest.services.entries()) {
      if (!(await isFile(join(appDir, service.entry))))
        problems.push({
          where: `/services/${i}/entry`,
          message: `file ${service.entry} is missing from the app folder`,
        });
    }
  }
  return problems;
}

/**
 * Each leak's `fixedBy` names files of the solution folder, and together they name all of them:
 * then "the solution without leak X's files" is exactly "leak X alone".
 */
function fixedByProblems(manifest: ExerciseManifest, solutionFiles: string[]): Problem[] {
  const leaks = manifest.leaks ?? [];
  if (!leaks.length) return [];
  const problems: Problem[] = [];
  const present = new Set(solutionFiles);
  const named = new Set<string>();
  leaks.forEach((leak, i) =>
    leak.fixedBy.forEach((file, j) => {
      const rel = normalisedPath(file);
      named.add(rel);
      if (!present.has(rel))
        problems.push({
          where: `/leaks/${i}/fixedBy/${j}`,
          message: `file ${printable(file)} is missing from the solution folder`,
        });
    }),
  );
  for (const rel of solutionFiles)
    if (!named.has(rel))
      problems.push({
        where: '/leaks',
        message: `solution file ${printable(rel)} is in no leak's fixedBy`,
      });
  return problems;
}
