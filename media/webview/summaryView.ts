import type { ExplorerSelection, SnapshotInfo, ClassSummary } from '../../src/extension/protocol';
import { el, emptyState, labelledSelect, setOptions, setBusy } from './dom';
import { formatBytes, formatCount } from './format';
import type { HostClient } from './hostClient';
import { PagedTable, type TableQuery } from './pagedTable';
import { pick, snapshotOption, stillCapturing, usableSnapshots } from './snapshots';
import type { UiState } from './state';

type SummaryKey = keyof ClassSummary;

/** The Summary tab: one snapshot's classes, like DevTools' Summary view, paged from the host. */
export class SummaryView {
  readonly element: HTMLElement;
  private readonly snapshotSelect: HTMLSelectElement;
  private readonly table: PagedTable<ClassSummary, SummaryKey>;
  private readonly empty: HTMLElement;
  private readonly picker: HTMLElement;
  private readonly waiting: HTMLElement;
  private snapshots: readonly SnapshotInfo[] = [];
  private shownId: string | undefined;

  constructor(
    private readonly client: HostClient,
    private readonly state: UiState['summary'],
    private readonly save: () => void,
  ) {
    this.element = el('div', 'summary');
    const { field, select } = labelledSelect('Snapshot', 'summary-snapshot');
    this.snapshotSelect = select;
    this.snapshotSelect.addEventListener('change', () => this.choose(this.snapshotSelect.value));
    this.picker = el('div', 'view-toolbar');
    this.picker.append(field);
    this.table = new PagedTable<ClassSummary, SummaryKey>({
      id: 'summary-table',
      label: 'Classes in the snapshot',
      noun: 'classes',
      query: { sort: state.sort, filter: state.filter },
      columns: [
        { key: 'name', label: 'Class', numeric: false, text: (row) => row.name },
        { key: 'count', label: 'Count', numeric: true, text: (row) => formatCount(row.count) },
        {
          key: 'selfSize',
          label: 'Shallow size',
          numeric: true,
          text: (row) => formatBytes(row.selfSize),
        },
        {
          key: 'retainedSize',
          label: 'Retained size',
          numeric: true,
          text: (row) => formatBytes(row.retainedSize),
        },
      ],
      onQueryChange: (query) => this.remember(query),
    });
    this.empty = emptyState(
      'symbol-class',
      'No snapshot to summarise yet',
      'Take a snapshot with Take snapshot above, or open a .heapsnapshot file with Open snapshot.',
    );
    this.waiting = el('div', 'view-status');
    this.element.append(this.empty, this.picker, this.waiting, this.table.element);
  }

  /** Shows the snapshot the host (`show` with a selection) or the header's list asked for. */
  select(selection: ExplorerSelection): void {
    if (selection.snapshotId === undefined) return;
    this.state.snapshotId = selection.snapshotId;
    this.save();
    this.setSnapshots(this.snapshots);
  }

  /** Tells the view whether its tab is visible; it only fetches while visible. */
  setActive(active: boolean): void {
    this.table.setActive(active);
  }

  /** Forgets what is shown, so the next {@link setSnapshots} loads again (after a new `init`). */
  invalidate(): void {
    this.shownId = undefined;
  }

  setSnapshots(snapshots: readonly SnapshotInfo[]): void {
    this.snapshots = snapshots;
    const usable = usableSnapshots(snapshots);
    const ids = usable.map((snapshot) => snapshot.id);
    const waiting = stillCapturing(snapshots, [this.state.snapshotId]);
    const selected = waiting ? undefined : pick(ids, this.state.snapshotId, ids.at(-1));
    setOptions(this.snapshotSelect, usable.map(snapshotOption), selected);
    this.empty.hidden = usable.length > 0 || waiting !== undefined;
    this.picker.hidden = usable.length === 0 || waiting !== undefined;
    this.table.element.hidden = usable.length === 0 || waiting !== undefined;
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
    if (snapshotId === this.shownId) return;
    this.shownId = snapshotId;
    if (snapshotId !== undefined && this.snapshotSelect.value !== snapshotId)
      this.snapshotSelect.value = snapshotId;
    this.table.setSource(
      snapshotId === undefined
        ? undefined
        : (query, start, count) =>
            this.client.request('summaryPage', { snapshotId, ...query, start, count }),
    );
  }

  private remember(query: TableQuery<SummaryKey>): void {
    this.state.sort = query.sort;
    this.state.filter = query.filter;
    this.save();
  }
}
