import * as vscode from 'vscode';
import type { ExtensionServices } from '../services';

/**
 * Context keys the "Hunt your first leak" walkthrough completes its steps on (`onContext:` in
 * package.json), for steps a learner can do from several places: the Heap Explorer's buttons,
 * the Session view, the Testing view and the command palette all end in these states, while an
 * `onCommand:` event only sees one command. Starting services and load already have keys
 * (`leakHunt.sessionRunning`, `leakHunt.loadRunning`), and opening an exercise has
 * `leakHunt.inExercise`.
 */
export const walkthroughContextKeys = {
  /** How many heap snapshots this workspace holds (the three-snapshot technique needs three). */
  snapshotCount: 'leakHunt.snapshotCount',
  /** The open exercise's tests and leak check have passed. */
  exerciseSolved: 'leakHunt.exerciseSolved',
} as const;

export function registerWalkthroughProgress(services: ExtensionServices): void {
  const { snapshots, progress, currentExercise } = services;
  const countSnapshots = (): void =>
    void vscode.commands.executeCommand(
      'setContext',
      walkthroughContextKeys.snapshotCount,
      snapshots.list().length,
    );
  const checkSolved = (): void => {
    const current = currentExercise.value;
    const solved =
      current !== undefined &&
      progress.statusOf(current.marker.setId, current.exercise.manifest.id) === 'solved';
    void vscode.commands.executeCommand(
      'setContext',
      walkthroughContextKeys.exerciseSolved,
      solved,
    );
  };
  countSnapshots();
  checkSolved();
  services.context.subscriptions.push(
    snapshots.onDidChange(countSnapshots),
    progress.onDidChange(checkSolved),
    currentExercise.onDidChange(checkSolved),
  );
}
