import { join, resolve } from 'node:path';
import { loadExercise, loadSet, type Exercise } from './exercise';
import { ExerciseError } from './errors';
import type { ExerciseSet } from './manifest';

/** One exercise of a set, as the Exercises view lists it. */
export type CatalogEntry = Exercise;

export interface Catalog {
  /** Absolute path of the set folder. */
  dir: string;
  set: ExerciseSet;
  exercises: CatalogEntry[];
}

/**
 * Reads a set folder: `set.json` and each listed exercise's `exercise.json`, in set order, all
 * schema-validated. Problems of every exercise are reported together in one `ExerciseError`.
 */
export async function readCatalog(setDir: string): Promise<Catalog> {
  const dir = resolve(setDir);
  const set = await loadSet(dir);
  const results = await Promise.allSettled(
    set.exercises.map((name) => loadExercise(join(dir, name))),
  );
  const problems = results.flatMap((result, i) => {
    if (result.status === 'fulfilled') return [];
    const error: unknown = result.reason;
    if (error instanceof ExerciseError)
      return error.problems.map((p) => ({
        where: `${set.exercises[i]}${p.where}`,
        message: p.message,
      }));
    throw error;
  });
  if (problems.length) throw new ExerciseError(join(dir, 'set.json'), problems);
  const exercises = results.map((result) => (result as PromiseFulfilledResult<Exercise>).value);
  return { dir, set, exercises };
}
