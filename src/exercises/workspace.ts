import { copyFile, mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Exercise } from './exercise';
import { WorkspaceError } from './errors';
import { hashFiles, hashOfHashes, listFiles, normalisedPath, toNative } from './files';

/** Folder inside a learner's workspace that holds Leak Hunt's marker and backups. */
export const MARKER_DIR = '.leakhunt';
const MARKER_FILE = 'exercise.json';

/** `.leakhunt/exercise.json`: which exercise a workspace holds and what its pristine files were. */
export interface WorkspaceMarker {
  format: 'leakhunt-workspace';
  formatVersion: 1;
  exerciseId: string;
  /**
   * The exercise folder the workspace was materialised from: absolute, or relative to the
   * workspace for one that carries its own copy (a classroom template, which must not hold the
   * instructor's paths). Read it with {@link markedExerciseDir}.
   */
  exerciseDir: string;
  /** Name of the set folder the exercise came from (its parent folder's name). */
  setId: string;
  /** sha256 per pristine app file (forward-slash relative paths). */
  files: Record<string, string>;
  /** One hash over `files`: equal hashes mean equal pristine apps. */
  pristineHash: string;
  materialisedAt: string;
}

export interface ResetResult {
  /** Absolute path of the backup folder, or undefined when nothing had changed. */
  backupDir?: string;
  /** Files the learner had changed, added or deleted (relative paths). */
  changed: string[];
}

async function copyTree(from: string, to: string, files: string[]): Promise<void> {
  for (const rel of files) {
    const target = toNative(to, rel);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(toNative(from, rel), target);
  }
}

async function writeMarker(
  targetDir: string,
  exercise: Exercise,
  files: Record<string, string>,
  exerciseDir = exercise.dir,
) {
  const marker: WorkspaceMarker = {
    format: 'leakhunt-workspace',
    formatVersion: 1,
    exerciseId: exercise.manifest.id,
    exerciseDir,
    setId: dirname(exercise.dir).split(/[\\/]/).pop() ?? '',
    files,
    pristineHash: hashOfHashes(files),
    materialisedAt: new Date().toISOString(),
  };
  await mkdir(join(targetDir, MARKER_DIR), { recursive: true });
  const file = join(targetDir, MARKER_DIR, MARKER_FILE);
  await writeFile(`${file}.tmp`, `${JSON.stringify(marker, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
  return marker;
}

/** The exercise folder a workspace's marker names, as an absolute path. */
export function markedExerciseDir(workspaceDir: string, marker: WorkspaceMarker): string {
  return resolve(workspaceDir, marker.exerciseDir);
}

/**
 * Copies an exercise's app files (never the solution, hints or manifest) into `targetDir` and
 * writes the workspace marker, naming `exerciseDir` (default: the exercise's own folder) as
 * where the exercise is. Refuses a folder that already holds files, so no work is lost.
 */
export async function materialiseExercise(
  exercise: Exercise,
  targetDir: string,
  exerciseDir?: string,
): Promise<WorkspaceMarker> {
  await mkdir(targetDir, { recursive: true });
  const existing = await readdir(targetDir);
  if (existing.length)
    throw new WorkspaceError(
      `${targetDir} is not empty; pick an empty folder for exercise '${exercise.manifest.id}'`,
    );
  const files = await listFiles(exercise.appDir);
  await copyTree(exercise.appDir, targetDir, files);
  return writeMarker(targetDir, exercise, await hashFiles(exercise.appDir), exerciseDir);
}

/** Reads the marker of a materialised workspace; undefined when the folder holds no exercise. */
export async function readWorkspaceMarker(dir: string): Promise<WorkspaceMarker | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, MARKER_DIR, MARKER_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WorkspaceError(`cannot read the Leak Hunt marker in ${dir}`, { cause: error });
  }
  let marker: WorkspaceMarker;
  try {
    marker = JSON.parse(text) as WorkspaceMarker;
  } catch (error) {
    throw new WorkspaceError(`the Leak Hunt marker in ${dir} is not JSON`, { cause: error });
  }
  if (marker.format !== 'leakhunt-workspace' || typeof marker.exerciseId !== 'string')
    throw new WorkspaceError(`the Leak Hunt marker in ${dir} is not a workspace marker`);
  return marker;
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

/**
 * Puts a workspace back to the exercise's pristine app. Every file the learner changed or added
 * is first moved to `.leakhunt/backups/<timestamp>/`, so nothing is lost.
 */
export async function resetExercise(targetDir: string, exercise: Exercise): Promise<ResetResult> {
  const pristine = await hashFiles(exercise.appDir);
  const current = await hashFiles(targetDir);
  const changed = Object.keys(current).filter((rel) => current[rel] !== pristine[rel]);
  const deleted = Object.keys(pristine).filter((rel) => !(rel in current));
  let backupDir: string | undefined;
  if (changed.length) {
    backupDir = join(targetDir, MARKER_DIR, 'backups', timestamp());
    await copyTree(targetDir, backupDir, changed);
    for (const rel of changed) if (!(rel in pristine)) await rm(toNative(targetDir, rel));
    await removeEmptyDirs(targetDir, changed);
  }
  await copyTree(exercise.appDir, targetDir, [
    ...changed.filter((rel) => rel in pristine),
    ...deleted,
  ]);
  await writeMarker(targetDir, exercise, pristine);
  return { ...(backupDir ? { backupDir } : {}), changed: [...changed, ...deleted].sort() };
}

/** Removes folders left empty after deleting `removed` files, deepest first. */
async function removeEmptyDirs(root: string, removed: string[]): Promise<void> {
  const dirs = new Set<string>();
  for (const rel of removed) {
    const parts = rel.split('/');
    for (let i = parts.length - 1; i > 0; i--) dirs.add(parts.slice(0, i).join('/'));
  }
  for (const rel of [...dirs].sort((a, b) => b.length - a.length)) {
    try {
      await rmdir(toNative(root, rel));
    } catch {
      // not empty (or already gone): keep it
    }
  }
}

/**
 * Overlays the exercise's reference solution on a copy of its app, except the files in `except`
 * (a leak's `fixedBy`: that leak stays in). Used by `validate` in a temporary folder and by the
 * editor's integration test; never on a learner's workspace. Returns the files laid over.
 */
export async function applySolution(
  exercise: Exercise,
  targetDir: string,
  except: readonly string[] = [],
): Promise<string[]> {
  if (exercise.manifest.solution === undefined) return [];
  const solutionDir = join(exercise.dir, exercise.manifest.solution);
  const kept = new Set(except.map(normalisedPath));
  const files = (await listFiles(solutionDir)).filter((rel) => !kept.has(rel));
  await copyTree(solutionDir, targetDir, files);
  return files;
}

/** Copies the exercise's pristine app into `targetDir` without a marker (for validation copies). */
export async function copyApp(exercise: Exercise, targetDir: string): Promise<void> {
  await copyTree(exercise.appDir, targetDir, await listFiles(exercise.appDir));
}
