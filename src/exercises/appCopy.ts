import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchdog } from '../common/watchdog';
import type { Exercise } from './exercise';
import { SetupError } from './errors';
import {
  describeExit,
  outputTail,
  runSetup,
  type CommandResult,
  type SetupOptions,
} from './runner';
import { applySolution, copyApp } from './workspace';

export interface AppCopyOptions extends SetupOptions {
  /** Lay the reference solution over the copy before setup (validation's fixed variants). */
  withSolution?: boolean;
  /** Solution files left out of the overlay: a leak's `fixedBy`, so that leak stays in. */
  solutionExcept?: readonly string[];
  onProgress?: (message: string) => void;
}

/**
 * Runs `work` in a new temporary folder and removes the folder afterwards, also when `work`
 * throws or is aborted, and (through the watchdog) when this process is killed outright.
 */
export async function withTemporaryDir<T>(
  prefix: string,
  work: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const unguard = watchdog.removeOnDeath(dir);
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
    unguard();
  }
}

/**
 * Copies an exercise's app into `targetDir` (with the solution on top when asked) and runs the
 * declared setup there, so a build never writes into the exercise folder. Resolves to the
 * setup's result, or undefined when the exercise declares no setup.
 */
export async function prepareAppCopy(
  exercise: Exercise,
  targetDir: string,
  options: AppCopyOptions = {},
): Promise<CommandResult | undefined> {
  const { withSolution, solutionExcept, onProgress, ...run } = options;
  await copyApp(exercise, targetDir);
  if (withSolution) await applySolution(exercise, targetDir, solutionExcept);
  const setup = exercise.manifest.setup;
  if (!setup) return undefined;
  run.signal?.throwIfAborted();
  onProgress?.(`setup: ${setup.command}`);
  return runSetup(exercise.manifest, targetDir, run);
}

/**
 * Runs `work` on an app folder that is ready to start. Without a setup step that is the
 * exercise's own app folder, untouched; with one, a temporary copy where setup has run, removed
 * when `work` ends (also on abort). Throws `SetupError` when setup fails.
 */
export async function withReadyApp<T>(
  exercise: Exercise,
  options: Omit<AppCopyOptions, 'withSolution' | 'solutionExcept'>,
  work: (appDir: string) => Promise<T>,
): Promise<T> {
  if (!exercise.manifest.setup) return work(exercise.appDir);
  return withTemporaryDir(`leakhunt-${exercise.manifest.id}-`, async (dir) => {
    const appDir = join(dir, 'app');
    const started = Date.now();
    const result = await prepareAppCopy(exercise, appDir, options);
    // An aborted setup is the user's Ctrl-C, not a broken exercise.
    options.signal?.throwIfAborted();
    if (result && result.exitCode !== 0) {
      const tail = outputTail(result, 10).replace(/^/gm, '  ');
      throw new SetupError(
        `setup '${result.command}' failed (${describeExit(result)}) in a temporary copy of ${exercise.appDir}` +
          (tail.trim() ? `; its output ends with:\n${tail}` : ' and printed nothing'),
        result,
      );
    }
    options.onProgress?.(`setup: done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return work(appDir);
  });
}
