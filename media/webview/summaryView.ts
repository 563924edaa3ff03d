import type { SnapshotInfo, SummaryRow } from '../../src/extension/protocol';
import { el, emptyState, labelledSelect, setOptions } from './dom';
import { formatBytes, formatCount } from './format';
import type { HostClient } from './hostClient';
import { PagedTable, type TableQuery } from './pagedTable';
import { pick, readySnapshots, snapshotOption } from './snapshots';
import type { UiState } from './state';

type SummaryKey = keyof SummaryRow;

/** The Summary tab: one snapshot's classes, like DevTools' Summary view, paged from the host. */
export class SummaryView {
  readonly element: HTMLElement;
  private readonly select: HTMLSelectElement;
  private readonly table: PagedTable<SummaryRow, SummaryKey>;
  private readonly empty: HTMLElement;
  private readonly picker: HTMLElement;
  private shownId: string | undefined;

  constructor(
    private readonly client: HostClient,
    private readonly state: UiState['summary'],
    private readonly save: () => void,
  ) {
    this.element = el('div', 'summary');
    const { field, select } = labelledSelect('Snapshot', 'summary-snapshot');
    this.select = select;
    this.select.addEventListener('change', () => this.choose(this.select.value));
    this.picker = el('div', 'view-toolbar');
    this.picker.append(field);
    this.table = new PagedTable<SummaryRow, SummaryKey>({
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
    this.element.append(this.empty, this.picker, this.table.element);
  }

  /** Shows a snapshot (e.g. picked from the header's list). */
  show(snapshotId: string): void {
    this.choose(snapshotId);
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
    const ready = readySnapshots(snapshots);
    const ids = ready.map((snapshot) => snapshot.id);
    const selected = pick(ids, this.state.snapshotId, ids.at(-1));
    setOptions(this.select, ready.map(snapshotOption), selected);
    this.empty.hidden = ready.length > 0;
    this.picker.hidden = this.table.element.hidden = ready.length === 0;
    this.choose(selected);
  }

  private choose(snapshotId: string | undefined): void {
    // Remember real choices only: an empty list (before `init`) must not erase the saved one.
    if (snapshotId !== undefined && snapshotId !== this.state.snapshotId) {
      this.state.snapshotId = snapshotId;
      this.save();
    }
    if (snapshotId === this.shownId) return;
    this.shownId = snapshotId;
    if (snapshotId !== undefined && this.select.value !== snapshotId)
      this.select.value = snapshotId;
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
