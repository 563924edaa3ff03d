import { mkdir, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { exportProgressCsv, exportProgressJson } from '../../progress/export';
import type { LadderRef } from '../../progress/hints';
import type { HintReveal } from '../../progress/model';
import { ProgressStore, type ProgressWarning } from '../../progress/store';
import { DisposableStore } from '../disposables';
import { registerCommand } from '../commands';
import type { ExerciseStatus } from '../exercises/exercisesView';
import type { ExerciseLibrary } from '../exercises/library';
import type { Logger } from '../logger';
import type { ExtensionServices, ProgressRecorder } from '../services';
import { realMachineId } from './machineId';

/** Heartbeats closer together than this add nothing worth a disk write. */
const HEARTBEAT_MS = 30_000;

/**
 * The learner's progress, kept by the durable store in global storage (shared by all windows).
 * Every record is awaited by callers that need it and logged when it fails; nothing here may
 * break the feature that records.
 */
/** A solve this recent is news: announced, and its debrief opened. Older ones are history. */
const JUST_SOLVED_MS = 10_000;

export class ProgressTracking implements ProgressRecorder, vscode.Disposable {
  private readonly store: ProgressStore;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions = new DisposableStore();
  private lastHeartbeat = 0;
  private toldAboutFailure = false;
  readonly loaded: Promise<void>;

  constructor(
    dir: string,
    private readonly library: ExerciseLibrary,
    private readonly log: Logger,
  ) {
    this.store = new ProgressStore(dir);
    this.subscriptions.addAll(
      this.store.onDidChange(({ progress }) => {
        this.changed.fire();
        if (progress?.solved && Date.parse(progress.solved) > Date.now() - JUST_SOLVED_MS) {
          void vscode.window.showInformationMessage(
            `Solved: ${progress.title}. The tests pass and the leak is gone.`,
          );
        }
      }),
      this.store.onDidWarn((warning) => this.warn(warning)),
    );
    this.loaded = this.store.load().then(
      ({ warnings }) => {
        for (const warning of warnings) this.warn(warning);
        this.changed.fire();
      },
      (error: unknown) => {
        log.error('progress', 'Cannot read your progress', error);
        const reason = error instanceof Error ? error.message : String(error);
        void vscode.window
          .showWarningMessage(`Leak Hunt could not read your progress (${reason}).`, 'Show Log')
          .then((c) => c && log.show());
      },
    );
  }

  private warn(warning: ProgressWarning): void {
    this.log.error('progress', warning.message, warning.cause);
    const where = warning.keptAt ? ` The unreadable file was kept at ${warning.keptAt}.` : '';
    void vscode.window
      .showWarningMessage(`Leak Hunt progress: ${warning.message}.${where}`, 'Show Log')
      .then((c) => c && this.log.show());
  }

  private async record(what: string, operation: () => Promise<unknown>): Promise<void> {
    try {
      await this.loaded;
      await operation();
    } catch (error) {
      this.log.error('progress', `Could not record ${what}`, error);
      // Once per window: a learner must not find out at export time that nothing was saved.
      if (this.toldAboutFailure) return;
      this.toldAboutFailure = true;
      const reason = error instanceof Error ? error.message : String(error);
      void vscode.window
        .showWarningMessage(
          `Leak Hunt could not save your progress (${reason}). Your work is safe; progress recording is not.`,
          'Show Log',
        )
        .then((choice) => choice && this.log.show());
    }
  }

  exerciseOpened(setId: string, exerciseId: string, title: string): Promise<void> {
    return this.record('the exercise start', () =>
      this.store.start(exerciseId, { set: setId, title }),
    );
  }

  activity(exerciseId: string): void {
    const now = Date.now();
    if (now - this.lastHeartbeat < HEARTBEAT_MS) return;
    this.lastHeartbeat = now;
    void this.record('activity', () => this.store.recordActivity(exerciseId));
  }

  async hintRevealed(exerciseId: string, index: number, ladder: LadderRef): Promise<boolean> {
    await this.loaded;
    const decision = await this.store.revealHint(exerciseId, index, ladder);
    return decision.allowed;
  }

  snapshotTaken(exerciseId: string): Promise<void> {
    return this.record('a snapshot', () => this.store.recordSnapshot(exerciseId));
  }

  testRun(
    exerciseId: string,
    result: { passed: number; failed: number; skipped: number },
  ): Promise<void> {
    return this.record('a test run', () => this.store.recordTestRun(exerciseId, result));
  }

  leakCheckRun(
    exerciseId: string,
    result: { verdict: 'leak' | 'no-leak' | 'inconclusive' | 'error'; bytesPerRequest?: number },
  ): Promise<void> {
    return this.record('a leak check', () => this.store.recordLeakCheck(exerciseId, result));
  }

  revealedHints(setId: string, exerciseId: string): HintReveal[] {
    const progress = this.store.get(exerciseId);
    // Progress is keyed by exercise id; another set's exercise of the same id has other hints.
    if (!progress || progress.set !== setId) return [];
    return progress.hints;
  }

  solvedJustNow(setId: string, exerciseId: string): boolean {
    const progress = this.store.get(exerciseId);
    if (!progress?.solved || progress.set !== setId) return false;
    return Date.parse(progress.solved) > Date.now() - JUST_SOLVED_MS;
  }

  statusOf(setId: string, exerciseId: string): ExerciseStatus {
    const progress = this.store.get(exerciseId);
    if (!progress || progress.set !== setId) return 'new';
    return progress.solved ? 'solved' : 'inProgress';
  }

  /** Writes `leak-hunt-progress-<date>.json` and `.csv` into `folder`; returns both paths. */
  async export(folder: string): Promise<string[]> {
    await this.loaded;
    await this.store.load(); // another window may have written since
    const exercises = this.store.list();
    const stamp = new Date().toISOString().slice(0, 10);
    const base = join(folder, `leak-hunt-progress-${stamp}`);
    await mkdir(folder, { recursive: true });
    const identity = { learner: learnerName(), machineId: realMachineId(vscode.env.machineId) };
    await writeFile(`${base}.json`, exportProgressJson(exercises, identity, Date.now()));
    await writeFile(`${base}.csv`, exportProgressCsv(exercises));
    this.log.info(
      'progress',
      `Exported progress of ${exercises.length} exercise(s) to ${base}.json/.csv (sets known: ${(await this.library.sets()).length})`,
    );
    return [`${base}.json`, `${base}.csv`];
  }

  dispose(): void {
    this.subscriptions.dispose();
    this.store.dispose();
    this.changed.dispose();
  }
}

/** The OS user name; containers with an arbitrary uid have no passwd entry, so fall back. */
function learnerName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

/** Activity heartbeats from the editor and the Export Progress… command. */
export function registerProgress(services: ExtensionServices): void {
  const beat = (): void => {
    const id = services.currentExercise.value?.exercise.manifest.id;
    if (id && vscode.window.state.focused) services.progress.activity(id);
  };
  services.context.subscriptions.push(
    vscode.workspace.onDidChangeTextDocument(
      (event) => event.document.uri.scheme === 'file' && beat(),
    ),
    vscode.window.onDidChangeActiveTextEditor(beat),
    vscode.window.onDidChangeWindowState((state) => state.focused && beat()),
    vscode.window.onDidChangeTextEditorSelection(beat),
    registerCommand(services.log, 'leakHunt.exportProgress', async (folder) => {
      const target =
        folder ??
        (
          await vscode.window.showOpenDialog({
            canSelectFolders: true,
            canSelectFiles: false,
            openLabel: 'Export Here',
            title: 'Export Progress (JSON and CSV)',
          })
        )?.[0]?.fsPath;
      if (!target) return undefined;
      const files = await services.progress.export(target);
      void vscode.window.showInformationMessage(`Progress exported to ${files.join(' and ')}.`);
      return files;
    }),
  );
}
