import type {
  AllocatedBetween,
  ClassSummary,
  EdgeRow,
  ExplorerSelection,
  NodeRow,
  SnapshotInfo,
} from '../../src/extension/protocol';
import { el, emptyState, errorBox, icon, labelledSelect, setBusy, setOptions } from './dom';
import { formatBytes, formatCount } from './format';
import { distanceText, edgeCell, heapText, objectCell, type OpenSource } from './heapCells';
import { HostRequestError, type HostClient } from './hostClient';
import { RetainersPane } from './retainersPane';
import { pick, snapshotOption, stillCapturing, usableSnapshots } from './snapshots';
import type { UiState } from './state';
import { TreeGrid } from './treeGrid';

/** A row of the Summary tree: a class, one of its instances, or a property of an object. */
export type SummaryItem =
  | { kind: 'class'; row: ClassSummary }
  | { kind: 'object'; node: NodeRow }
  | { kind: 'edge'; edge: EdgeRow };

const filterDelayMs = 250;

/** An "allocated between" choice as an option value, and back. */
function betweenValue(between: AllocatedBetween): string {
  return `${between.afterSnapshotId ?? ''}\u0000${between.upToSnapshotId}`;
}
function parseBetween(value: string): AllocatedBetween | undefined {
  if (value === '') return undefined;
  const [after, upTo] = value.split('\u0000');
  return { afterSnapshotId: after === '' ? undefined : after, upToSnapshotId: upTo };
}

/** The object a row stands for (none for a class row). */
export function nodeOf(item: SummaryItem): NodeRow | undefined {
  if (item.kind === 'object') return item.node;
  if (item.kind === 'edge') return item.edge.node;
  return undefined;
}

/**
 * The Summary tab, like DevTools' Summary: one snapshot's classes, each expanding to its
 * instances and each object to its properties, as deep as clicked; the Retainers pane below
 * follows the selected object. Filters: class name, objects allocated between two snapshots,
 * and an @id search.
 */
export class SummaryView {
  readonly element: HTMLElement;
  private readonly snapshotSelect: HTMLSelectElement;
  private readonly allocatedSelect: HTMLSelectElement;
  private readonly filterInput: HTMLInputElement;
  private readonly idInput: HTMLInputElement;
  private readonly idStatus: HTMLElement;
  private readonly tree: TreeGrid<SummaryItem>;
  private readonly retainers: RetainersPane;
  private readonly empty: HTMLElement;
  private readonly picker: HTMLElement;
  private readonly waiting: HTMLElement;
  private readonly content: HTMLElement;
  private snapshots: readonly SnapshotInfo[] = [];
  private shownKey: string | undefined;
  private filterTimer: ReturnType<typeof setTimeout> | undefined;
  /** An @id search result shown instead of the classes. */
  private found: NodeRow | undefined;

  constructor(
    private readonly client: HostClient,
    private readonly state: UiState['summary'],
    private readonly save: () => void,
    openSource: OpenSource,
  ) {
    this.element = el('div', 'summary');
    const snapshot = labelledSelect('Snapshot', 'summary-snapshot');
    this.snapshotSelect = snapshot.select;
    this.snapshotSelect.addEventListener('change', () => this.choose(this.snapshotSelect.value));
    const allocated = labelledSelect('Objects', 'summary-allocated');
    this.allocatedSelect = allocated.select;
    this.allocatedSelect.addEventListener('change', () => {
      this.state.allocatedBetween = parseBetween(this.allocatedSelect.value);
      this.save();
      this.load();
    });
    this.picker = el('div', 'view-toolbar');
    this.picker.append(snapshot.field, allocated.field);

    const toolbar = el('div', 'table-toolbar');
    const filterBox = el('div', 'filter');
    this.filterInput = el('input', 'input');
    this.filterInput.type = 'search';
    this.filterInput.id = 'summary-table-filter';
    this.filterInput.placeholder = 'Filter classes';
    this.filterInput.setAttribute('aria-label', 'Filter classes by name');
    this.filterInput.value = state.filter;
    this.filterInput.addEventListener('input', () => {
      clearTimeout(this.filterTimer);
      this.filterTimer = setTimeout(() => this.applyFilter(), filterDelayMs);
    });
    this.filterInput.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') this.applyFilter();
    });
    filterBox.append(icon('filter', 'filter-icon'), this.filterInput);
    const idBox = el('div', 'filter id-search');
    this.idInput = el('input', 'input');
    this.idInput.type = 'search';
    this.idInput.id = 'summary-id-search';
    this.idInput.placeholder = '@id';
    this.idInput.setAttribute('aria-label', 'Find an object by its @id (Enter)');
    this.idInput.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') void this.findById();
    });
    this.idInput.addEventListener('search', () => {
      if (this.idInput.value === '') void this.findById();
    });
    idBox.append(icon('search', 'filter-icon'), this.idInput);
    this.idStatus = el('div', 'id-status');
    this.idStatus.setAttribute('aria-live', 'polite');

    this.retainers = new RetainersPane('summary-retainers', client, openSource);
    this.tree = new TreeGrid<SummaryItem>({
      id: 'summary-table',
      label: 'Classes in the snapshot',
      noun: 'classes',
      sort: state.sort,
      state: state.tree,
      columns: [
        {
          label: 'Constructor',
          numeric: false,
          sortKey: 'name',
          cell: (item) => this.nameCell(item, openSource),
        },
        {
          label: 'Distance',
          numeric: true,
          sortKey: 'distance',
          cell: (item) =>
            distanceText(item.kind === 'class' ? item.row.distance : nodeOf(item)!.distance),
        },
        {
          label: 'Count',
          numeric: true,
          sortKey: 'count',
          cell: (item) => (item.kind === 'class' ? formatCount(item.row.count) : ''),
        },
        {
          label: 'Shallow size',
          numeric: true,
          sortKey: 'selfSize',
          cell: (item) =>
            formatBytes(item.kind === 'class' ? item.row.selfSize : nodeOf(item)!.selfSize),
        },
        {
          label: 'Retained size',
          numeric: true,
          sortKey: 'retainedSize',
          cell: (item) =>
            formatBytes(item.kind === 'class' ? item.row.retainedSize : nodeOf(item)!.retainedSize),
        },
      ],
      key: (item) => {
        if (item.kind === 'class') return `class:${item.row.name}`;
        if (item.kind === 'object') return `@${item.node.id}`;
        return `${item.edge.edgeType}:${item.edge.edgeName}@${item.edge.node.id}`;
      },
      expandable: (item) => item.kind === 'class' || nodeOf(item)!.hasChildren,
      onSort: (sort) => {
        this.state.sort = sort as UiState['summary']['sort'];
        this.save();
        this.load();
      },
      onSelect: (item) => {
        const node = item && nodeOf(item);
        const snapshotId = this.state.snapshotId;
        this.retainers.show(node && snapshotId ? { snapshotId, node } : undefined);
      },
      onStateChange: (tree) => {
        this.state.tree = tree;
        this.save();
      },
    });
    toolbar.append(filterBox, idBox, this.tree.count);
    this.empty = emptyState(
      'symbol-class',
      'No snapshot to summarise yet',
      'Take a snapshot with Take snapshot above, or open a .heapsnapshot file with Open snapshot.',
    );
    this.waiting = el('div', 'view-status');
    this.content = el('div', 'split-view');
    const top = el('div', 'split-top');
    top.append(toolbar, this.idStatus, this.tree.element);
    this.content.append(top, this.retainers.element);
    this.element.append(this.empty, this.picker, this.waiting, this.content);
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
    this.tree.setActive(active);
    this.retainers.setActive(active);
  }

  /** Forgets what is shown, so the next {@link setSnapshots} loads again (after a new `init`). */
  invalidate(): void {
    this.shownKey = undefined;
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
    this.content.hidden = usable.length === 0 || waiting !== undefined;
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
      this.state.allocatedBetween = undefined;
      this.save();
    }
    if (snapshotId !== undefined && this.snapshotSelect.value !== snapshotId)
      this.snapshotSelect.value = snapshotId;
    this.renderAllocatedOptions(snapshotId);
    if (this.keyOfShown() === this.shownKey) return;
    this.load();
  }

  private keyOfShown(): string {
    const between = this.state.allocatedBetween;
    return [this.state.snapshotId, between && betweenValue(between)].join('\u0001');
  }

  /**
   * DevTools' choices: objects allocated before the first snapshot, then between each two
   * consecutive snapshots, up to the one shown (of the same service: ids only compare within
   * one process).
   */
  private renderAllocatedOptions(snapshotId: string | undefined): void {
    const shown = this.snapshots.find((snapshot) => snapshot.id === snapshotId);
    const usable = usableSnapshots(this.snapshots).filter(
      (snapshot) =>
        snapshot.service === shown?.service && snapshot.takenAt <= (shown?.takenAt ?? 0),
    );
    const options = [{ value: '', label: 'All objects' }];
    usable.forEach((snapshot, i) => {
      const before = usable[i - 1];
      options.push({
        value: betweenValue({ afterSnapshotId: before?.id, upToSnapshotId: snapshot.id }),
        label: before
          ? `Allocated between ${before.label} and ${snapshot.label}`
          : `Allocated before ${snapshot.label}`,
      });
    });
    const between = this.state.allocatedBetween;
    const chosen = between ? betweenValue(between) : '';
    const known = options.some((option) => option.value === chosen);
    if (!known) this.state.allocatedBetween = undefined;
    setOptions(this.allocatedSelect, options, known ? chosen : '');
    this.allocatedSelect.disabled = options.length < 2;
  }

  /** Points the tree at the classes (or the @id found) of the chosen snapshot. */
  private load(): void {
    const snapshotId = this.state.snapshotId;
    const between = this.state.allocatedBetween;
    this.shownKey = this.keyOfShown();
    this.retainers.show(undefined);
    if (snapshotId === undefined) {
      this.tree.setSource(undefined);
      return;
    }
    // Only when set: requests without the filter stay as they were.
    const allocated = between ? { allocatedBetween: { ...between } } : {};
    const found = this.found;
    this.tree.setSource(async (parent, start, count) => {
      if (!parent && found) return { total: 1, start: 0, rows: [{ kind: 'object', node: found }] };
      if (!parent) {
        const page = await this.client.request('summaryPage', {
          snapshotId,
          sort: this.state.sort,
          filter: this.state.filter,
          ...allocated,
          start,
          count,
        });
        return { ...page, rows: page.rows.map((row) => ({ kind: 'class', row })) };
      }
      if (parent.kind === 'class') {
        const page = await this.client.request('instancesPage', {
          snapshotId,
          className: parent.row.name,
          ...allocated,
          start,
          count,
        });
        return { ...page, rows: page.rows.map((node) => ({ kind: 'object', node })) };
      }
      const page = await this.client.request('childrenPage', {
        snapshotId,
        node: nodeOf(parent)!.node,
        start,
        count,
      });
      return { ...page, rows: page.rows.map((edge) => ({ kind: 'edge', edge })) };
    });
  }

  private nameCell(item: SummaryItem, openSource: OpenSource): string | Node {
    if (item.kind === 'class') return heapText(item.row.name);
    if (item.kind === 'object') return objectCell(item.node, openSource, this.found !== undefined);
    return edgeCell(item.edge, openSource);
  }

  private applyFilter(): void {
    clearTimeout(this.filterTimer);
    const filter = this.filterInput.value.trim();
    if (filter === this.state.filter) return;
    this.state.filter = filter;
    this.save();
    this.load();
  }

  /** Finds an object by its @id and shows it alone, with its retainers; empty goes back. */
  private async findById(): Promise<void> {
    const text = this.idInput.value.trim().replace(/^@/, '');
    const snapshotId = this.state.snapshotId;
    this.idStatus.replaceChildren();
    if (text === '' || snapshotId === undefined) {
      if (this.found) {
        this.found = undefined;
        this.load();
      }
      return;
    }
    const id = Number(text);
    if (!Number.isSafeInteger(id) || id < 0) {
      this.idStatus.replaceChildren(
        el('p', 'hint', `“${text}” is not an object id: type a number such as @1234.`),
      );
      return;
    }
    try {
      const node = await this.client.request('nodeById', { snapshotId, id });
      if (!node) {
        this.idStatus.replaceChildren(el('p', 'hint', `No object @${id} in this snapshot.`));
        return;
      }
      this.found = node;
      this.load();
      this.idStatus.replaceChildren(
        el('p', 'hint', `Showing @${id}; clear the @id box to go back to the classes.`),
      );
      this.retainers.show({ snapshotId, node });
    } catch (error) {
      if (error instanceof HostRequestError)
        this.idStatus.replaceChildren(errorBox(error.shown.message, error.shown.nextStep));
    }
  }
}
