import type {
  ClassDelta,
  ComparisonSide,
  EdgeRow,
  ExplorerSelection,
  NodeRow,
  SnapshotInfo,
} from '../../src/extension/protocol';
import type { SnapshotMismatch } from '../../src/heap/results';
import { el, emptyState, icon, labelledSelect, setOptions, setBusy } from './dom';
import { formatBytes, formatCount, formatSigned } from './format';
import { edgeCell, heapText, objectCell, type OpenSource } from './heapCells';
import type { HostClient } from './hostClient';
import { RetainersPane } from './retainersPane';
import { pick, snapshotOption, stillCapturing, usableSnapshots } from './snapshots';
import type { UiState } from './state';
import { TreeGrid } from './treeGrid';

/**
 * A row of the Comparison tree: a class, its new or deleted objects (a group), one such object,
 * or a property of an object. Objects carry the snapshot they live in: new ones the target,
 * deleted ones the baseline.
 */
type ComparisonItem =
  | { kind: 'class'; row: ClassDelta }
  | { kind: 'side'; side: ComparisonSide; row: ClassDelta }
  | { kind: 'object'; side: ComparisonSide; snapshotId: string; node: NodeRow }
  | { kind: 'edge'; snapshotId: string; edge: EdgeRow };

const filterDelayMs = 250;

function nodeOf(item: ComparisonItem): NodeRow | undefined {
  if (item.kind === 'object') return item.node;
  if (item.kind === 'edge') return item.edge.node;
  return undefined;
}

/** Growth reads as a warning, shrinkage as good news. */
function tone(value: number): string | undefined {
  if (value > 0) return 'grew';
  if (value < 0) return 'shrank';
  return undefined;
}

/** Why a comparison of these two snapshots means nothing, as the engine found it. */
function mismatchText(mismatch: SnapshotMismatch): string {
  return mismatch.kind === 'different-processes'
    ? 'These snapshots come from different processes. V8 object ids only compare within one ' +
        'process, so this comparison is meaningless: compare two snapshots of the same running service.'
    : 'The baseline was taken after the target, so every object freed in between shows as new. ' +
        'Swap them: the baseline is the older snapshot.';
}

/**
 * The Comparison tab, like DevTools' Comparison: per-class changes from a baseline to a target
 * snapshot (# New, # Deleted, # Delta, Alloc. size, Freed size, Size delta), each class expanding
 * to its new and deleted objects, and those to their properties; the Retainers pane follows the
 * selected object in its own snapshot.
 */
export class ComparisonView {
  readonly element: HTMLElement;
  private readonly baseline: HTMLSelectElement;
  private readonly target: HTMLSelectElement;
  private readonly filterInput: HTMLInputElement;
  private readonly tree: TreeGrid<ComparisonItem>;
  private readonly retainers: RetainersPane;
  private readonly empty: HTMLElement;
  private readonly same: HTMLElement;
  private readonly pickers: HTMLElement;
  private readonly waiting: HTMLElement;
  private readonly mismatch: HTMLElement;
  private readonly content: HTMLElement;
  private snapshots: readonly SnapshotInfo[] = [];
  private shownKey: string | undefined;
  private filterTimer: ReturnType<typeof setTimeout> | undefined;
  /** The pair the host suggests (the latest Find Leak's), used until the user picks one. */
  private suggested: { baselineId: string; targetId: string } | undefined;

  constructor(
    private readonly client: HostClient,
    private readonly state: UiState['comparison'],
    private readonly save: () => void,
    openSource: OpenSource,
  ) {
    this.element = el('div', 'comparison');
    const baseline = labelledSelect('Baseline', 'comparison-baseline');
    const target = labelledSelect('Target', 'comparison-target');
    this.baseline = baseline.select;
    this.target = target.select;
    for (const select of [this.baseline, this.target])
      select.addEventListener('change', () => this.choose(this.baseline.value, this.target.value));
    this.pickers = el('div', 'view-toolbar');
    const arrow = el('span', 'picker-arrow codicon codicon-arrow-right');
    arrow.setAttribute('aria-hidden', 'true');
    this.pickers.append(baseline.field, arrow, target.field);
    this.same = el(
      'p',
      'hint',
      'Pick two different snapshots: the baseline before the suspected growth, the target after it.',
    );
    this.retainers = new RetainersPane('comparison-retainers', client, openSource);
    this.tree = new TreeGrid<ComparisonItem>({
      id: 'comparison-table',
      label: 'Class changes from baseline to target',
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
          label: '# New',
          numeric: true,
          sortKey: 'newCount',
          cell: (item) => (item.kind === 'class' ? formatCount(item.row.newCount) : ''),
        },
        {
          label: '# Deleted',
          numeric: true,
          sortKey: 'deletedCount',
          cell: (item) => (item.kind === 'class' ? formatCount(item.row.deletedCount) : ''),
        },
        {
          label: '# Delta',
          numeric: true,
          sortKey: 'countDelta',
          cell: (item) =>
            item.kind === 'class' ? formatSigned(item.row.countDelta, formatCount) : '',
          tone: (item) => (item.kind === 'class' ? tone(item.row.countDelta) : undefined),
        },
        {
          label: 'Alloc. size',
          numeric: true,
          sortKey: 'addedSize',
          cell: (item) => this.sideSize(item, 'new'),
        },
        {
          label: 'Freed size',
          numeric: true,
          sortKey: 'removedSize',
          cell: (item) => this.sideSize(item, 'deleted'),
        },
        {
          label: 'Size delta',
          numeric: true,
          sortKey: 'sizeDelta',
          cell: (item) =>
            item.kind === 'class' ? formatSigned(item.row.sizeDelta, formatBytes) : '',
          tone: (item) => (item.kind === 'class' ? tone(item.row.sizeDelta) : undefined),
        },
      ],
      key: (item) => {
        if (item.kind === 'class') return `class:${item.row.name}`;
        if (item.kind === 'side') return item.side;
        if (item.kind === 'object') return `@${item.node.id}`;
        return `${item.edge.edgeType}:${item.edge.edgeName}@${item.edge.node.id}`;
      },
      expandable: (item) =>
        item.kind === 'class' ||
        (item.kind === 'side'
          ? (item.side === 'new' ? item.row.newCount : item.row.deletedCount) > 0
          : nodeOf(item)!.hasChildren),
      onSort: (sort) => {
        this.state.sort = sort as UiState['comparison']['sort'];
        this.save();
        this.load();
      },
      onSelect: (item) => {
        const node = item && nodeOf(item);
        this.retainers.show(
          node && item && 'snapshotId' in item ? { snapshotId: item.snapshotId, node } : undefined,
        );
      },
      onStateChange: (tree) => {
        this.state.tree = tree;
        this.save();
      },
    });
    const toolbar = el('div', 'table-toolbar');
    const filterBox = el('div', 'filter');
    this.filterInput = el('input', 'input');
    this.filterInput.type = 'search';
    this.filterInput.id = 'comparison-table-filter';
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
    toolbar.append(filterBox, this.tree.count);
    this.empty = emptyState(
      'diff',
      'Take two snapshots to compare',
      'Take a snapshot, drive some load (Start load), then take another: the comparison shows which classes grew.',
    );
    this.waiting = el('div', 'view-status');
    this.mismatch = el('p', 'verdict verdict-leak comparison-mismatch');
    this.mismatch.setAttribute('role', 'alert');
    this.mismatch.hidden = true;
    this.content = el('div', 'split-view');
    const top = el('div', 'split-top');
    top.append(toolbar, this.mismatch, this.tree.element);
    this.content.append(top, this.retainers.element);
    this.element.append(this.empty, this.pickers, this.same, this.waiting, this.content);
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

  /** The pair to open on when the user has not picked one: the latest Find Leak's. */
  suggest(pair: { baselineId: string; targetId: string } | undefined): void {
    this.suggested = pair;
  }

  /** Compares the snapshots the host asked for (`show` with a selection, e.g. Compare Snapshots…). */
  select(selection: ExplorerSelection): void {
    if (selection.baselineId === undefined && selection.targetId === undefined) return;
    this.state.baselineId = selection.baselineId ?? this.state.baselineId;
    this.state.targetId = selection.targetId ?? this.state.targetId;
    this.save();
    this.setSnapshots(this.snapshots);
  }

  setSnapshots(snapshots: readonly SnapshotInfo[]): void {
    this.snapshots = snapshots;
    const usable = usableSnapshots(snapshots);
    const ids = usable.map((snapshot) => snapshot.id);
    const waiting = stillCapturing(snapshots, [this.state.baselineId, this.state.targetId]);
    const baselineId = pick(
      ids,
      this.state.baselineId,
      pick(ids, this.suggested?.baselineId, ids.at(-2)),
    );
    const targetId = pick(
      ids,
      this.state.targetId,
      pick(ids, this.suggested?.targetId, ids.at(-1)),
    );
    const options = usable.map(snapshotOption);
    setOptions(this.baseline, options, baselineId);
    setOptions(this.target, options, targetId);
    const enough = usable.length >= 2;
    this.empty.hidden = enough || waiting !== undefined;
    this.pickers.hidden = !enough || waiting !== undefined;
    setBusy(
      this.waiting,
      waiting && `Waiting for ${waiting.label}: the snapshot is being captured…`,
    );
    if (waiting) {
      this.same.hidden = this.content.hidden = true;
      return;
    }
    this.choose(enough ? baselineId : undefined, enough ? targetId : undefined);
  }

  private choose(baselineId: string | undefined, targetId: string | undefined): void {
    // Remember real choices only: an empty list (before `init`) must not erase the saved one.
    const changed = baselineId !== this.state.baselineId || targetId !== this.state.targetId;
    if (baselineId !== undefined && targetId !== undefined && changed) {
      this.state.baselineId = baselineId;
      this.state.targetId = targetId;
      this.save();
    }
    const valid = baselineId !== undefined && targetId !== undefined && baselineId !== targetId;
    this.same.hidden = !(baselineId !== undefined && baselineId === targetId);
    this.content.hidden = !valid;
    const key = valid ? `${baselineId}\u0000${targetId}` : undefined;
    if (key === this.shownKey) return;
    this.load();
  }

  private load(): void {
    const { baselineId, targetId } = this.state;
    const valid = baselineId !== undefined && targetId !== undefined && baselineId !== targetId;
    const key = valid ? `${baselineId}\u0000${targetId}` : undefined;
    this.shownKey = key;
    this.mismatch.hidden = true;
    this.retainers.show(undefined);
    if (!valid) {
      this.tree.setSource(undefined);
      return;
    }
    this.tree.setSource(async (parent, start, count) => {
      if (!parent) {
        const page = await this.client.request('comparisonPage', {
          baselineId,
          targetId,
          sort: this.state.sort,
          filter: this.state.filter,
          start,
          count,
        });
        // Rows still show: they are what the engine computed, under the warning's caveat.
        if (this.shownKey === key) {
          this.mismatch.textContent = page.mismatch ? mismatchText(page.mismatch) : '';
          this.mismatch.hidden = !page.mismatch;
        }
        return { ...page, rows: page.rows.map((row) => ({ kind: 'class' as const, row })) };
      }
      if (parent.kind === 'class') {
        const sides: ComparisonItem[] = [];
        if (parent.row.newCount > 0) sides.push({ kind: 'side', side: 'new', row: parent.row });
        if (parent.row.deletedCount > 0)
          sides.push({ kind: 'side', side: 'deleted', row: parent.row });
        return { total: sides.length, start: 0, rows: sides };
      }
      if (parent.kind === 'side') {
        const side = parent.side;
        const snapshotId = side === 'new' ? targetId : baselineId;
        const page = await this.client.request('comparisonObjectsPage', {
          baselineId,
          targetId,
          className: parent.row.name,
          side,
          start,
          count,
        });
        return {
          ...page,
          rows: page.rows.map((node) => ({ kind: 'object' as const, side, snapshotId, node })),
        };
      }
      const snapshotId = parent.snapshotId;
      const page = await this.client.request('childrenPage', {
        snapshotId,
        node: nodeOf(parent)!.node,
        start,
        count,
      });
      return {
        ...page,
        rows: page.rows.map((edge) => ({ kind: 'edge' as const, snapshotId, edge })),
      };
    });
  }

  private nameCell(item: ComparisonItem, openSource: OpenSource): string | Node {
    if (item.kind === 'class') return heapText(item.row.name);
    if (item.kind === 'side') {
      const count = item.side === 'new' ? item.row.newCount : item.row.deletedCount;
      const label = item.side === 'new' ? 'New objects' : 'Deleted objects';
      return el('span', `comparison-side side-${item.side}`, `${label} (${formatCount(count)})`);
    }
    if (item.kind === 'object') {
      const cell = document.createDocumentFragment();
      cell.append(
        el('span', `side-mark side-${item.side}`, item.side === 'new' ? '+ ' : '\u2212 '),
        objectCell(item.node, openSource, false),
      );
      return cell;
    }
    return edgeCell(item.edge, openSource);
  }

  /** Alloc. size for new objects, Freed size for deleted ones (DevTools puts object sizes there). */
  private sideSize(item: ComparisonItem, side: ComparisonSide): string {
    if (item.kind === 'class')
      return formatBytes(side === 'new' ? item.row.addedSize : item.row.removedSize);
    if (item.kind === 'object' && item.side === side) return formatBytes(item.node.selfSize);
    return '';
  }

  private applyFilter(): void {
    clearTimeout(this.filterTimer);
    const filter = this.filterInput.value.trim();
    if (filter === this.state.filter) return;
    this.state.filter = filter;
    this.save();
    this.load();
  }
}
