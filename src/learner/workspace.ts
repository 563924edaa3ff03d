import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { builtInExercisesDir } from '../common/packageRoot';
import { readCatalog } from '../exercises/catalog';
import { originOfExercise, writeOrigin } from '../exercises/consent';
import { WorkspaceError } from '../exercises/errors';
import { loadExercise, type Exercise } from '../exercises/exercise';
import { isFile, toNative } from '../exercises/files';
import {
  MARKER_DIR,
  markedExerciseDir,
  materialiseExercise,
  readWorkspaceMarker,
  type WorkspaceMarker,
} from '../exercises/workspace';
import { ProgressStore } from '../progress/store';

/**
 * A learner's workspace outside the editor: the app files, `.leakhunt/exercise.json` (the same
 * marker the editor writes) and `.leakhunt/exercise/`, a copy of the manifest, the scenario and
 * the debrief (which `leakhunt debrief` shows only once solved; the manifest's hints sit beside it),
 * so hints, verify and grade work where the exercise folder is absent (a container, a CI job, a
 * template repository). Progress is kept in `.leakhunt/progress.json`, in the editor's format.
 */

/** `.leakhunt/exercise/`: the manifest, scenario and debrief the workspace was made from. */
const EXERCISE_COPY_DIR = 'exercise';

/** An opened workspace and the exercise it holds. */
export interface LearnerWorkspace {
  /** Absolute path of the workspace (the learner's copy of the app). */
  dir: string;
  marker: WorkspaceMarker;
  /** The exercise whose manifest drives setup, tests, hints and the check. */
  exercise: Exercise;
}

/**
 * Finds an exercise by folder (`exercises/cart`, an unpacked set's exercise) or by the id of a
 * built-in one (`cart`).
 */
export async function findExercise(reference: string, cwd: string): Promise<Exercise> {
  const dir = resolve(cwd, reference);
  if (await isFile(join(dir, 'exercise.json'))) return loadExercise(dir);
  const builtIn = await readCatalog(builtInExercisesDir());
  const found = builtIn.exercises.find((e) => e.manifest.id === reference);
  if (found) return found;
  const ids = builtIn.exercises.map((e) => e.manifest.id).join(', ');
  throw new WorkspaceError(
    `'${reference}' is neither an exercise folder nor a built-in exercise (${ids})`,
  );
}

/**
 * Makes a learner's workspace in `dir` (empty or missing): the app files and marker, the
 * manifest, scenario and debrief under `.leakhunt/exercise/`, and, for an exercise from a pack, its
 * origin, so commands run there are held for consent like the pack's own.
 */
export async function openLearnerWorkspace(
  exercise: Exercise,
  dir: string,
  { selfContained = false } = {},
): Promise<WorkspaceMarker> {
  // A self-contained workspace names its own copy, so no path of this machine travels with it.
  const copy = `${MARKER_DIR}/${EXERCISE_COPY_DIR}`;
  const marker = await materialiseExercise(exercise, dir, selfContained ? copy : undefined);
  const copyDir = join(dir, MARKER_DIR, EXERCISE_COPY_DIR);
  const { scenario, debrief } = exercise.manifest;
  for (const rel of ['exercise.json', scenario, ...(debrief === undefined ? [] : [debrief])]) {
    const target = toNative(copyDir, rel);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(toNative(exercise.dir, rel), target);
  }
  const origin = await originOfExercise(exercise);
  if (origin) await writeOrigin(dir, origin);
  return marker;
}

/** The scenario file a learner reads first. */
export function scenarioPath(workspace: LearnerWorkspace): string {
  return toNative(
    join(workspace.dir, MARKER_DIR, EXERCISE_COPY_DIR),
    workspace.exercise.manifest.scenario,
  );
}

async function loadMatching(dir: () => string, id: string): Promise<Exercise | undefined> {
  try {
    const exercise = await loadExercise(dir());
    return exercise.manifest.id === id ? exercise : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads a workspace and finds its exercise: `exerciseDir` when given (an instructor's copy that
 * learners cannot edit), else the folder the marker names, else the copy in the workspace, else
 * the built-in exercise with the marker's id.
 */
export async function readLearnerWorkspace(
  dir: string,
  options: { exerciseDir?: string } = {},
): Promise<LearnerWorkspace> {
  const abs = resolve(dir);
  const marker = await readWorkspaceMarker(abs);
  if (!marker)
    throw new WorkspaceError(
      `${abs} holds no Leak Hunt exercise (no ${MARKER_DIR}/exercise.json); ` +
        `make one with: leakhunt open <exercise> <dir>`,
    );
  if (options.exerciseDir) {
    const exercise = await loadExercise(options.exerciseDir);
    if (exercise.manifest.id !== marker.exerciseId)
      throw new WorkspaceError(
        `${options.exerciseDir} holds exercise '${exercise.manifest.id}', ` +
          `but ${abs} holds '${marker.exerciseId}'`,
      );
    return { dir: abs, marker, exercise };
  }
  // Folders, looked up only as far as needed: a CLI vendored on its own has no built-in set.
  const candidates = [
    () => markedExerciseDir(abs, marker),
    () => join(abs, MARKER_DIR, EXERCISE_COPY_DIR),
    () => join(builtInExercisesDir(), marker.exerciseId),
  ];
  for (const candidate of candidates) {
    const exercise = await loadMatching(candidate, marker.exerciseId);
    if (exercise) return { dir: abs, marker, exercise };
  }
  throw new WorkspaceError(
    `cannot find exercise '${marker.exerciseId}' for ${abs}: not in ${marker.exerciseDir}, ` +
      `nor in ${MARKER_DIR}/${EXERCISE_COPY_DIR}, nor among the built-in exercises`,
  );
}

/** The workspace's progress store (`.leakhunt/progress.json`, the editor's format). */
export function learnerProgress(workspace: LearnerWorkspace): ProgressStore {
  return new ProgressStore(join(workspace.dir, MARKER_DIR));
}

/** What the store records about the exercise when it first sees it. */
export function aboutExercise(workspace: LearnerWorkspace): { set: string; title: string } {
  return { set: workspace.marker.setId, title: workspace.exercise.manifest.title };
}
