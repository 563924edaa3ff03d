import { mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { tempPrefix, writeFileAtomic } from './atomicFile';
import { ProgressError } from './errors';
import { Emitter, type Event } from './events';
import { DEFAULT_LOCK_OPTIONS, LOCK_TEMP_INFIX, withFileLock, type LockOptions } from './fileLock';
import { revealHint, type HintDecision, type LadderRef } from './hints';
import {
  DEFAULT_IDLE_CAP_SECONDS,
  PROGRESS_SCHEMA_VERSION,
  emptyProgressFile,
  findProblems,
  iso,
  markSolvedIfGreen,
  newExerciseProgress,
  recordActivity,
  type Clock,
  type ExerciseProgress,
  type LeakCheckRecord,
  type ProgressFile,
  type TestRunRecord,
} from './model';

export const PROGRESS_FILE_NAME = 'progress.json';

export interface ProgressStoreOptions {
  clock?: Clock;
  /** Longest heartbeat gap still counted as active time; default 5 minutes. */
  idleCapSeconds?: number;
  lock?: Partial<LockOptions>;
}

/** Something the learner should be told about their progress file, e.g. it was corrupt. */
export interface ProgressWarning {
  message: string;
  /** Where the unusable file was moved, so nothing is lost. */
  keptAt?: string;
  cause?: unknown;
}

export interface LoadResult {
  exercises: ExerciseProgress[];
  /** Non-empty when the file was corrupt or unreadable; the editor shows these. */
  warnings: ProgressWarning[];
}

export interface ProgressChange {
  exerciseId: string;
  progress: ExerciseProgress | undefined;
}

/** What the editor knows about an exercise when it first records progress for it. */
export interface ExerciseAbout {
  set: string;
  title: string;
}

/**
 * The durable progress store: one `progress.json` in the given folder (the extension's global
 * storage). Every update is read-merge-write under an exclusive lock file, so two VS Code
 * windows (or any processes) updating the same store never lose each other's changes; writes
 * are atomic; a corrupt or unreadable file is moved aside and reported, never dropped.
 */
export class ProgressStore {
  readonly file: string;
  private readonly lockFile: string;
  private readonly clock: Clock;
  private readonly idleCapSeconds: number;
  private readonly lockOptions: LockOptions;
  private data: ProgressFile = emptyProgressFile();
  /** Serialises this instance's operations; the lock file serialises across processes. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly changed = new Emitter<ProgressChange>();
  private readonly warned = new Emitter<ProgressWarning>();

  /** Fires after an exercise's progress changed (by this store, or found changed on disk). */
  readonly onDidChange: Event<ProgressChange> = this.changed.event;
  /** Fires when an update found the file corrupt and moved it aside (load reports it too). */
  readonly onDidWarn: Event<ProgressWarning> = this.warned.event;

  constructor(
    readonly dir: string,
    options: ProgressStoreOptions = {},
  ) {
    this.file = join(dir, PROGRESS_FILE_NAME);
    this.lockFile = `${this.file}.lock`;
    this.clock = options.clock ?? Date.now;
    this.idleCapSeconds = options.idleCapSeconds ?? DEFAULT_IDLE_CAP_SECONDS;
    this.lockOptions = { ...DEFAULT_LOCK_OPTIONS, ...options.lock };
  }

  /**
   * Reads the file (creating the folder if needed). Call at activation and whenever another
   * window may have written; fires `onDidChange` for every exercise that differs.
   */
  load(): Promise<LoadResult> {
    return this.serialised(() =>
      withFileLock(
        this.lockFile,
        async () => {
          const { file, warnings } = await this.readCurrent();
          await this.removeLeftoverTemps();
          this.replace(file);
          return { exercises: this.list(), warnings };
        },
        this.lockOptions,
      ),
    );
  }

  /** The exercise's progress as last loaded or written; a copy, so callers cannot change it. */
  get(exerciseId: string): ExerciseProgress | undefined {
    const progress = this.data.exercises[exerciseId];
    return progress && structuredClone(progress);
  }

  /** Every exercise with progress, in the order they were started (what the exports take). */
  list(): ExerciseProgress[] {
    return Object.values(this.data.exercises)
      .map((p) => structuredClone(p))
      .sort((a, b) => a.started.localeCompare(b.started));
  }

  /**
   * Applies `mutate` to the exercise's latest stored progress (created if absent) and writes
   * the result. `mutate` runs on the state just read under the lock, so it must be a function
   * of its argument only; concurrent updates, here or in other processes, are never lost.
   */
  update(
    exerciseId: string,
    mutate: (progress: ExerciseProgress, now: number) => void,
    about?: ExerciseAbout,
  ): Promise<ExerciseProgress> {
    return this.serialised(() => this.updateLocked(exerciseId, mutate, about));
  }

  /** Records that the learner opened the exercise; keeps the first start time. */
  start(exerciseId: string, about: ExerciseAbout): Promise<ExerciseProgress> {
    return this.update(exerciseId, (p) => Object.assign(p, about), about);
  }

  /** An activity heartbeat from the editor (typing, running, snapshotting...). */
  recordActivity(exerciseId: string): Promise<ExerciseProgress> {
    return this.update(exerciseId, (p, now) => recordActivity(p, now, this.idleCapSeconds));
  }

  recordSnapshot(exerciseId: string): Promise<ExerciseProgress> {
    return this.update(exerciseId, (p, now) => {
      p.snapshots.push(iso(now));
    });
  }

  /** Records a test run; marks the exercise solved when the latest leak check is green too. */
  recordTestRun(exerciseId: string, counts: Omit<TestRunRecord, 'at'>): Promise<ExerciseProgress> {
    return this.update(exerciseId, (p, now) => {
      p.testRuns.push({ at: iso(now), ...counts });
      markSolvedIfGreen(p, now);
    });
  }

  /** Records a leak check; marks the exercise solved when the latest test run is green too. */
  recordLeakCheck(
    exerciseId: string,
    check: Omit<LeakCheckRecord, 'at'>,
  ): Promise<ExerciseProgress> {
    return this.update(exerciseId, (p, now) => {
      p.leakChecks.push({ at: iso(now), ...check });
      markSolvedIfGreen(p, now);
    });
  }

  /**
   * Reveals hint `index` of a ladder if the hint policy allows it (in order, no skipping) and
   * records when. Decided under the lock, so two windows clicking at once reveal it only once.
   */
  async revealHint(exerciseId: string, index: number, ladder: LadderRef): Promise<HintDecision> {
    let decision: HintDecision = { allowed: false, reason: 'not decided' };
    await this.update(exerciseId, (p, now) => {
      decision = revealHint(p, index, ladder, now);
    });
    return decision;
  }

  /** Stops event delivery; pending writes still complete. */
  dispose(): void {
    this.changed.dispose();
    this.warned.dispose();
  }

  /** Runs after this instance's earlier operations, with the folder (and so the lock) available. */
  private serialised<T>(operation: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      await mkdir(this.dir, { recursive: true }).catch((error: unknown) => {
        throw new ProgressError('io', `cannot create the progress folder ${this.dir}`, {
          cause: error,
        });
      });
      return operation();
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async updateLocked(
    exerciseId: string,
    mutate: (progress: ExerciseProgress, now: number) => void,
    about: ExerciseAbout | undefined,
  ): Promise<ExerciseProgress> {
    // A holder that lost its lock (judged stale while it was slow) redoes the whole update.
    for (let attempt = 1; ; attempt++) {
      const outcome = await withFileLock(
        this.lockFile,
        async (lock) => {
          const { file, warnings } = await this.readCurrent();
          for (const warning of warnings) this.warned.fire(warning);
          const now = this.clock();
          const before = file.exercises[exerciseId];
          const progress = before
            ? structuredClone(before)
            : newExerciseProgress(exerciseId, now, about);
          mutate(progress, now);
          const next: ProgressFile = {
            ...file,
            exercises: { ...file.exercises, [exerciseId]: progress },
          };
          if (JSON.stringify(before) !== JSON.stringify(progress)) {
            if (!(await lock.stillHeld())) return undefined;
            await this.write(next);
          }
          return next;
        },
        this.lockOptions,
      );
      if (outcome) {
        this.replace(outcome);
        return structuredClone(outcome.exercises[exerciseId] as ExerciseProgress);
      }
      if (attempt >= 3)
        throw new ProgressError('lock-timeout', `lost the lock on ${this.lockFile} three times`);
    }
  }

  /** Reads the file as it is now; a corrupt or unreadable one is moved aside, with a warning. */
  private async readCurrent(): Promise<{ file: ProgressFile; warnings: ProgressWarning[] }> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return { file: emptyProgressFile(), warnings: [] };
      return this.keepAside(`Your progress file could not be read`, error);
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      return this.keepAside('Your progress file is not valid JSON', error);
    }
    const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
    if (typeof version === 'number' && version > PROGRESS_SCHEMA_VERSION)
      throw new ProgressError(
        'newer-schema',
        `${this.file} was written by a newer Leak Hunt (schema ${version}); update Leak Hunt to keep recording progress`,
      );
    const problems = findProblems(data);
    if (problems.length)
      return this.keepAside(`Your progress file is damaged (${problems.slice(0, 3).join('; ')})`);
    return { file: data as ProgressFile, warnings: [] };
  }

  private async keepAside(
    what: string,
    cause?: unknown,
  ): Promise<{ file: ProgressFile; warnings: ProgressWarning[] }> {
    const stamp = iso(this.clock()).replace(/:/g, '-');
    let keptAt = `${this.file}.corrupt-${stamp}`;
    for (let n = 2; await exists(keptAt); n++) keptAt = `${this.file}.corrupt-${stamp}-${n}`;
    try {
      await rename(this.file, keptAt);
    } catch (error) {
      // Writing over a file we could neither read nor move would lose it: refuse instead.
      throw new ProgressError('io', `${what}, and it could not be moved aside to ${keptAt}`, {
        cause: error,
      });
    }
    const warning: ProgressWarning = {
      message: `${what}. It was kept as ${keptAt} and progress starts afresh.`,
      keptAt,
      ...(cause !== undefined ? { cause } : {}),
    };
    return { file: emptyProgressFile(), warnings: [warning] };
  }

  private async write(file: ProgressFile): Promise<void> {
    try {
      await writeFileAtomic(this.file, `${JSON.stringify(file, null, 2)}\n`);
    } catch (error) {
      throw new ProgressError('io', `cannot write ${this.file}`, { cause: error });
    }
  }

  /** Temp files of writers that died mid-write are never read; tidy those surely abandoned. */
  private async removeLeftoverTemps(): Promise<void> {
    const prefixes = [tempPrefix(this.file), `${PROGRESS_FILE_NAME}.lock${LOCK_TEMP_INFIX}`];
    const names = await readdir(this.dir).catch(() => []);
    for (const name of names) {
      if (!prefixes.some((prefix) => name.startsWith(prefix))) continue;
      const path = join(this.dir, name);
      const info = await stat(path).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > this.lockOptions.staleMs)
        await rm(path, { force: true });
    }
  }

  /** Adopts a freshly read model and tells listeners which exercises changed. */
  private replace(file: ProgressFile): void {
    const previous = this.data.exercises;
    this.data = file;
    const ids = new Set([...Object.keys(previous), ...Object.keys(file.exercises)]);
    for (const exerciseId of ids) {
      const progress = file.exercises[exerciseId];
      if (JSON.stringify(previous[exerciseId]) !== JSON.stringify(progress))
        this.changed.fire({ exerciseId, progress: progress && structuredClone(progress) });
    }
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
