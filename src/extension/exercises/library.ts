import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { readCatalog, type Catalog } from '../../exercises/catalog';
import { loadExercise, type Exercise } from '../../exercises/exercise';
import {
  markedExerciseDir,
  readWorkspaceMarker,
  type WorkspaceMarker,
} from '../../exercises/workspace';
import { DisposableStore } from '../disposables';
import type { Logger } from '../logger';

export interface LibrarySet {
  /** The set folder's name: how workspace markers refer to the set. */
  id: string;
  source: 'built-in' | 'imported';
  dir: string;
  catalog?: Catalog;
  /** Why the set could not be read, when it could not. */
  error?: string;
}

/** Every exercise set this installation knows: the built-in one and imported packs. */
export class ExerciseLibrary implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private cached: Promise<LibrarySet[]> | undefined;

  constructor(
    private readonly builtInDir: string,
    /** Folder holding one sub-folder per imported pack (in the extension's global storage). */
    readonly packsDir: string,
    private readonly log: Logger,
  ) {}

  sets(): Promise<LibrarySet[]> {
    this.cached ??= this.readSets();
    return this.cached;
  }

  refresh(): void {
    this.cached = undefined;
    this.changed.fire();
  }

  async find(setId: string, exerciseId: string): Promise<Exercise | undefined> {
    for (const set of await this.sets()) {
      if (set.id !== setId) continue;
      const found = set.catalog?.exercises.find((e) => e.manifest.id === exerciseId);
      if (found) return found;
    }
    return undefined;
  }

  private async readSets(): Promise<LibrarySet[]> {
    const dirs: { dir: string; source: LibrarySet['source'] }[] = [
      { dir: this.builtInDir, source: 'built-in' },
    ];
    try {
      for (const entry of await readdir(this.packsDir, { withFileTypes: true })) {
        if (entry.isDirectory() && !entry.name.startsWith('.'))
          dirs.push({ dir: join(this.packsDir, entry.name), source: 'imported' });
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        this.log.error('exercises', `Cannot list ${this.packsDir}`, error);
    }
    return Promise.all(
      dirs.map(async ({ dir, source }) => {
        try {
          return { id: basename(dir), source, dir, catalog: await readCatalog(dir) };
        } catch (error) {
          this.log.error('exercises', `Cannot read the exercise set in ${dir}`, error);
          return {
            id: basename(dir),
            source,
            dir,
            error: error instanceof Error ? error.message : String(error),
          };
        }
      }),
    );
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The exercise held by the open workspace, found through its `.leakhunt/exercise.json` marker. */
export interface WorkspaceExercise {
  workspaceDir: string;
  marker: WorkspaceMarker;
  exercise: Exercise;
}

/** Tracks which exercise (if any) the open workspace is, and keeps the `leakHunt.inExercise` context key. */
export class CurrentExercise implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<WorkspaceExercise | undefined>();
  readonly onDidChange = this.changed.event;
  private current: WorkspaceExercise | undefined;
  private readonly subscriptions = new DisposableStore();

  constructor(
    private readonly library: ExerciseLibrary,
    private readonly log: Logger,
  ) {
    this.subscriptions.add(vscode.workspace.onDidChangeWorkspaceFolders(() => void this.detect()));
  }

  get value(): WorkspaceExercise | undefined {
    return this.current;
  }

  async detect(): Promise<WorkspaceExercise | undefined> {
    let found: WorkspaceExercise | undefined;
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme !== 'file') continue;
      try {
        const marker = await readWorkspaceMarker(folder.uri.fsPath);
        if (!marker) continue;
        const exercise = await this.locate(folder.uri.fsPath, marker);
        if (exercise) {
          found = { workspaceDir: folder.uri.fsPath, marker, exercise };
          break;
        }
        this.log.warn(
          'exercises',
          `${folder.uri.fsPath} holds exercise '${marker.exerciseId}', which this installation no longer has`,
        );
      } catch (error) {
        this.log.error(
          'exercises',
          `Cannot read the Leak Hunt marker in ${folder.uri.fsPath}`,
          error,
        );
      }
    }
    this.current = found;
    await vscode.commands.executeCommand('setContext', 'leakHunt.inExercise', found !== undefined);
    this.changed.fire(found);
    return found;
  }

  /** The marker's folder first; after an update moved the extension, the same set and id in the library. */
  private async locate(
    workspaceDir: string,
    marker: WorkspaceMarker,
  ): Promise<Exercise | undefined> {
    try {
      const exercise = await loadExercise(markedExerciseDir(workspaceDir, marker));
      if (exercise.manifest.id === marker.exerciseId) return exercise;
    } catch {
      // Moved or removed: fall back to the library.
    }
    return this.library.find(marker.setId, marker.exerciseId);
  }

  dispose(): void {
    this.subscriptions.dispose();
    this.changed.dispose();
  }
}
