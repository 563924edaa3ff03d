import type * as vscode from 'vscode';
import type { LadderRef } from '../progress/hints';
import type { HintReveal } from '../progress/model';
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
  /**
   * Records hint `index` of a ladder (a leak's, or the general hints) if the policy allows it (in
   * order); resolves to whether it was revealed.
   */
  hintRevealed(exerciseId: string, index: number, ladder: LadderRef): Promise<boolean>;
  snapshotTaken(exerciseId: string): Promise<void>;
  testRun(
    exerciseId: string,
    result: { passed: number; failed: number; skipped: number },
  ): Promise<void>;
  leakCheckRun(
    exerciseId: string,
    result: { verdict: 'leak' | 'no-leak' | 'inconclusive' | 'error'; bytesPerRequest?: number },
  ): Promise<void>;
  /** Hints revealed so far for this set's exercise (ladder and index), in the order revealed. */
  revealedHints(setId: string, exerciseId: string): HintReveal[];
  statusOf(setId: string, exerciseId: string): ExerciseStatus;
  /** Whether this set's exercise turned solved in the last few seconds (news, not history). */
  solvedJustNow(setId: string, exerciseId: string): boolean;
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
