import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Exercise } from '../../exercises/exercise';
import { runSetup } from '../../exercises/runner';
import type { CodeRuns } from '../codeRuns';
import type { Logger } from '../logger';
import { readSettings } from '../settings';

/** VS Code's own TypeScript, so an exercise's build step works offline inside the editor. */
export function bundledTypeScript(): string | undefined {
  const path = join(
    vscode.env.appRoot,
    'extensions',
    'node_modules',
    'typescript',
    'lib',
    'typescript.js',
  );
  return existsSync(path) ? path : undefined;
}

/**
 * Runs the exercise's setup step (e.g. a TypeScript build) in `dir`, if it declares one,
 * reporting to `progress`; throws with a next step when it fails.
 */
export async function runExerciseSetup(
  exercise: Exercise,
  dir: string,
  services: { log: Logger; runs: CodeRuns },
  progress: vscode.Progress<{ message?: string }>,
  token: vscode.CancellationToken,
): Promise<void> {
  const setup = exercise.manifest.setup;
  if (!setup) return;
  const { log } = services;
  progress.report({ message: `setting up: ${setup.command}` });
  const run = services.runs.begin(token);
  try {
    const result = await runSetup(exercise.manifest, dir, {
      nodePath: readSettings().nodePath,
      typescriptPath: bundledTypeScript(),
      signal: run.signal,
      onOutput: (text) => log.trace('exercises', text.trimEnd()),
    });
    if (result && result.exitCode !== 0) {
      log.error('exercises', `Setup of ${exercise.manifest.id} failed:\n${result.output}`);
      const how = result.timedOut
        ? 'timed out'
        : result.aborted
          ? 'was cancelled'
          : `failed (exit ${result.exitCode})`;
      throw new Error(
        `The setup step "${setup.command}" ${how}. The exercise's files are in ${dir}; the log has the step's output. Once the cause is fixed, Reset Exercise in that folder sets it up again.`,
      );
    }
  } finally {
    run.end();
  }
}
