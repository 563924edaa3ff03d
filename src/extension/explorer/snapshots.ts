import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { SnapshotInfo } from '../protocol';

const STATE_KEY = 'leakHunt.snapshots';
const FIND_LEAK_KEY = 'leakHunt.latestFindLeak';

/**
 * Every heap snapshot this workspace has taken or opened, newest last. Kept in workspace state so
 * the list survives a reload; entries whose file was deleted are dropped on load.
 */
export class SnapshotRegistry implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<SnapshotInfo[]>();
  readonly onDidChange = this.changed.event;
  private items: SnapshotInfo[];
  private readonly lastProgressEvent = new Map<string, number>();
  /** Script id → file of the process each snapshot came from; ids mean nothing in another process. */
  private readonly scriptMaps = new Map<string, Record<number, string>>();

  constructor(private readonly state: vscode.Memento) {
    const stored = state.get<SnapshotInfo[]>(STATE_KEY, []);
    // A capture interrupted by a reload never finished: its file (if any) is partial.
    this.items = stored
      .filter((s) => s.state !== 'capturing' && existsSync(s.file))
      .map((s) => (s.state === 'parsing' ? { ...s, state: 'ready', progress: undefined } : s));
  }

  list(): SnapshotInfo[] {
    return [...this.items];
  }

  get(id: string): SnapshotInfo | undefined {
    return this.items.find((s) => s.id === id);
  }

  /** The snapshot of `file`, registering it (as ready) if it is new. */
  ensure(file: string, sizeBytes: number, takenAt: number, service?: string): SnapshotInfo {
    const existing = this.items.find((s) => s.file === file);
    if (existing) return existing;
    return this.add({
      id: file,
      file,
      label: basename(file),
      takenAt,
      sizeBytes,
      service,
      state: 'ready',
    });
  }

  add(info: SnapshotInfo): SnapshotInfo {
    this.items = [...this.items.filter((s) => s.id !== info.id), info];
    this.save();
    return info;
  }

  /**
   * Capture or parse progress: shown, not stored (a reload ends the capture anyway), and at
   * most a few times a second however often V8 reports.
   */
  setProgress(id: string, progress: number): void {
    const now = Date.now();
    if (now - (this.lastProgressEvent.get(id) ?? 0) < 250) return;
    this.lastProgressEvent.set(id, now);
    this.items = this.items.map((s) => (s.id === id ? { ...s, progress } : s));
    this.changed.fire(this.list());
  }

  /** Remembers (for this window's lifetime) how to resolve the snapshot's script ids. */
  setScripts(id: string, scripts: Record<number, string>): void {
    this.scriptMaps.set(id, scripts);
  }

  scripts(id: string): Record<number, string> | undefined {
    return this.scriptMaps.get(id);
  }

  /** Remembers the snapshots of the latest Find Leak (across reloads): Comparison's default pair. */
  setLatestFindLeak(pair: { baselineId: string; targetId: string }): void {
    void this.state.update(FIND_LEAK_KEY, pair);
  }

  /** The latest Find Leak's baseline → target, while both are still in the list. */
  latestFindLeak(): { baselineId: string; targetId: string } | undefined {
    const pair = this.state.get<{ baselineId: string; targetId: string }>(FIND_LEAK_KEY);
    return pair && this.get(pair.baselineId) && this.get(pair.targetId) ? pair : undefined;
  }

  remove(id: string): void {
    this.lastProgressEvent.delete(id);
    this.scriptMaps.delete(id);
    this.items = this.items.filter((s) => s.id !== id);
    this.save();
  }

  /** The snapshots that can be analysed, oldest first. */
  ready(): SnapshotInfo[] {
    return this.items.filter((s) => s.state === 'ready');
  }

  private save(): void {
    void this.state.update(STATE_KEY, this.items);
    this.changed.fire(this.list());
  }

  dispose(): void {
    this.changed.dispose();
  }
}
