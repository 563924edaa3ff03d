import { readRegularFile } from '../common/regularFile';
import { withoutBom } from '../common/text';
import { toNative } from '../exercises/files';
import { learnerProgress, type LearnerWorkspace } from './workspace';

/** Far above any debrief (they run to a few KB); bigger is not one. */
const MAX_DEBRIEF_BYTES = 256 * 1024;

/**
 * The exercise's debrief (markdown, as written: escape it for the terminal), or undefined when
 * the exercise declares none. Read from the exercise folder the workspace was found with, so a
 * workspace whose exercise folder is gone reads the copy kept in `.leakhunt/exercise/`.
 */
export async function readDebrief(workspace: LearnerWorkspace): Promise<string | undefined> {
  const { dir, manifest } = workspace.exercise;
  if (manifest.debrief === undefined) return undefined;
  const data = await readRegularFile(toNative(dir, manifest.debrief), MAX_DEBRIEF_BYTES);
  return withoutBom(data.toString('utf8'));
}

/** Whether the workspace's progress records the exercise as solved (tests and check green). */
export async function isSolved(workspace: LearnerWorkspace): Promise<boolean> {
  const store = learnerProgress(workspace);
  try {
    await store.load();
    return store.get(workspace.exercise.manifest.id)?.solved !== undefined;
  } finally {
    store.dispose();
  }
}
