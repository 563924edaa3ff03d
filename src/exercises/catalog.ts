import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExerciseManifest, ExerciseSet } from './manifest';

export interface CatalogEntry {
  /** Absolute path of the exercise folder. */
  dir: string;
  manifest: ExerciseManifest;
}

export interface Catalog {
  dir: string;
  set: ExerciseSet;
  exercises: CatalogEntry[];
}

/** Reads a set folder: `set.json` and each listed exercise's `exercise.json`, in set order. */
export async function readCatalog(setDir: string): Promise<Catalog> {
  const set = JSON.parse(await readFile(join(setDir, 'set.json'), 'utf8')) as ExerciseSet;
  const exercises = await Promise.all(
    set.exercises.map(async (name) => {
      const dir = join(setDir, name);
      const manifest = JSON.parse(
        await readFile(join(dir, 'exercise.json'), 'utf8'),
      ) as ExerciseManifest;
      return { dir, manifest };
    }),
  );
  return { dir: setDir, set, exercises };
}
