import type { ExplorerSelection, SnapshotInfo } from '../../src/extension/protocol';
import { el, emptyState, labelledSelect, setBusy, setOptions } from './dom';
import { pick, snapshotOption, stillCapturing, usableSnapshots } from './snapshots';

/**
 * The frame of a view over one snapshot (Containment, Dominators, Statistics): a snapshot picker,
 * an empty state, a "waiting for capture" line and the view's content, which is told which
 * snapshot to show (`undefined`: none).
 */
export class SnapshotPicker {
  readonly element: HTMLElement;
  readonly content: HTMLElement;
  private readonly select: HTMLSelectElement;
  private readonly picker: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly waiting: HTMLElement;
  private snapshots: readonly SnapshotInfo[] = [];
  private shownId: string | undefined;

  constructor(
    id: string,
    className: string,
    private readonly state: { snapshotId?: string },
    private readonly save: () => void,
    private readonly show: (snapshotId: string | undefined) => void,
  ) {
    this.element = el('div', className);
    const { field, select } = labelledSelect('Snapshot', `${id}-snapshot`);
    this.select = select;
    this.select.addEventListener('change', () => this.choose(this.select.value));
    this.picker = el('div', 'view-toolbar');
    this.picker.append(field);
    this.empty = emptyState(
      'symbol-class',
      'No snapshot yet',
      'Take a snapshot with Take snapshot above, or open a .heapsnapshot file with Open snapshot.',
    );
    this.waiting = el('div', 'view-status');
    this.content = el('div', 'view-content');
    this.element.append(this.empty, this.picker, this.waiting, this.content);
  }

  /** Shows the snapshot the host asked for (`show` with a selection). */
  selectSnapshot(selection: ExplorerSelection): void {
    if (selection.snapshotId === undefined) return;
    this.state.snapshotId = selection.snapshotId;
    this.save();
    this.setSnapshots(this.snapshots);
  }

  /** Forgets what is shown, so the next {@link setSnapshots} shows it again. */
  invalidate(): void {
    this.shownId = undefined;
  }

  setSnapshots(snapshots: readonly SnapshotInfo[]): void {
    this.snapshots = snapshots;
    const usable = usableSnapshots(snapshots);
    const ids = usable.map((snapshot) => snapshot.id);
    const waiting = stillCapturing(snapshots, [this.state.snapshotId]);
    const selected = waiting ? undefined : pick(ids, this.state.snapshotId, ids.at(-1));
    setOptions(this.select, usable.map(snapshotOption), selected);
    const none = usable.length === 0 || waiting !== undefined;
    this.empty.hidden = usable.length > 0 || waiting !== undefined;
    this.picker.hidden = none;
    this.content.hidden = none;
    setBusy(
      this.waiting,
      waiting && `Waiting for ${waiting.label}: the snapshot is being captured…`,
    );
    if (!waiting) this.choose(selected);
  }

  private choose(snapshotId: string | undefined): void {
    // Remember real choices only: an empty list (before `init`) must not erase the saved one.
    if (snapshotId !== undefined && snapshotId !== this.state.snapshotId) {
      this.state.snapshotId = snapshotId;
      this.save();
    }
    if (snapshotId !== undefined && this.select.value !== snapshotId)
      this.select.value = snapshotId;
    if (snapshotId === this.shownId) return;
    this.shownId = snapshotId;
    this.show(snapshotId);
  }
}
