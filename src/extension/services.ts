import type * as vscode from 'vscode';
import type { CodeRuns } from './codeRuns';
import type { PackConsent } from './exercises/consent';
import type { ExerciseStatus } from './exercises/exercisesView';
import type { CurrentExercise, ExerciseLibrary } from './exercises/library';
import type { HeapAnalysis } from './explorer/heapAnalysis';
import type { SnapshotRegistry } from './explorer/snapshots';
import type { Logger } from './logger';
import type { SessionManager } from './session/sessionManager';

/** What the features record about a learner's work; backed by the durable progress store. */
export interface ProgressRecorder {
  exerciseOpened(setId: string, exerciseId: string, title: string): Promise<void>;
  /** The learner did something in the editor; active time accrues between such heartbeats. */
  activity(exerciseId: string): void;
  /** Records hint `index` if the policy allows it (in order); resolves to whether it was revealed. */
  hintRevealed(exerciseId: string, index: number, hintCount: number): Promise<boolean>;
  snapshotTaken(exerciseId: string): Promise<void>;
  testRun(
    exerciseId: string,
    result: { passed: number; failed: number; skipped: number },
  ): Promise<void>;
  leakCheckRun(
    exerciseId: string,
    result: { verdict: 'leak' | 'no-leak' | 'inconclusive' | 'error'; bytesPerRequest?: number },
  ): Promise<void>;
  /** Hint indexes revealed so far for this set's exercise, in order. */
  revealedHints(setId: string, exerciseId: string): number[];
  statusOf(setId: string, exerciseId: string): ExerciseStatus;
  /** Writes the progress as JSON and CSV into `folder`; resolves to both files. */
  export(folder: string): Promise<string[]>;
  readonly onDidChange: vscode.Event<void>;
}

/** Services every feature receives; built once in `activate`, no globals. */
export interface ExtensionServices {
  context: vscode.ExtensionContext;
  log: Logger;
  library: ExerciseLibrary;
  currentExercise: CurrentExercise;
  sessions: SessionManager;
  snapshots: SnapshotRegistry;
  heap: HeapAnalysis;
  progress: ProgressRecorder;
  /** Setup steps, test runs and leak checks in progress. */
  runs: CodeRuns;
  /** Holds an imported pack's commands until the user allowed them. */
  consent: PackConsent;
}
