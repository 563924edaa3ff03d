import type { ClassDelta, ExplorerSelection, SnapshotInfo } from '../../src/extension/protocol';
import type { SnapshotMismatch } from '../../src/heap/results';
import { el, emptyState, labelledSelect, setOptions, setBusy } from './dom';
import { formatBytes, formatCount, formatSigned } from './format';
import type { HostClient } from './hostClient';
import { PagedTable, type TableQuery } from './pagedTable';
import { pick, snapshotOption, stillCapturing, usableSnapshots } from './snapshots';
import type { UiState } from './state';

type DeltaKey = keyof ClassDelta;

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

/** The Comparison tab: per-class deltas between a baseline and a target snapshot. */
export class ComparisonView {
  readonly element: HTMLElement;
  private readonly baseline: HTMLSelectElement;
  private readonly target: HTMLSelectElement;
  private readonly table: PagedTable<ClassDelta, DeltaKey>;
  private readonly empty: HTMLElement;
  private readonly same: HTMLElement;
  private readonly pickers: HTMLElement;
  private readonly waiting: HTMLElement;
  private readonly mismatch: HTMLElement;
  private snapshots: readonly SnapshotInfo[] = [];
  private shownKey: string | undefined;

  constructor(
    private readonly client: HostClient,
    private readonly state: UiState['comparison'],
    private readonly save: () => void,
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
    this.table = new PagedTable<ClassDelta, DeltaKey>({
      id: 'comparison-table',
      label: 'Class changes from baseline to target',
      noun: 'classes',
      query: { sort: state.sort, filter: state.filter },
      columns: [
        { key: 'name', label: 'Class', numeric: false, text: (row) => row.name },
        {
          key: 'newCount',
          label: 'New',
          numeric: true,
          text: (row) => formatCount(row.newCount),
        },
        {
          key: 'deletedCount',
          label: 'Deleted',
          numeric: true,
          text: (row) => formatCount(row.deletedCount),
        },
        {
          key: 'countDelta',
          label: 'Count Δ',
          numeric: true,
          text: (row) => formatSigned(row.countDelta, formatCount),
          tone: (row) => tone(row.countDelta),
        },
        {
          key: 'sizeDelta',
          label: 'Size Δ',
          numeric: true,
          text: (row) => formatSigned(row.sizeDelta, formatBytes),
          tone: (row) => tone(row.sizeDelta),
        },
      ],
      onQueryChange: (query) => this.remember(query),
    });
    this.empty = emptyState(
      'diff',
      'Take two snapshots to compare',
      'Take a snapshot, drive some load (Start load), then take another: the comparison shows which classes grew.',
    );
    this.waiting = el('div', 'view-status');
    this.mismatch = el('p', 'verdict verdict-leak comparison-mismatch');
    this.mismatch.setAttribute('role', 'alert');
    this.mismatch.hidden = true;
    this.element.append(
      this.empty,
      this.pickers,
      this.same,
      this.waiting,
      this.mismatch,
      this.table.element,
    );
  }

  /** Tells the view whether its tab is visible; it only fetches while visible. */
  setActive(active: boolean): void {
    this.table.setActive(active);
  }

  /** Forgets what is shown, so the next {@link setSnapshots} loads again (after a new `init`). */
  invalidate(): void {
    this.shownKey = undefined;
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
    const baselineId = pick(ids, this.state.baselineId, ids.at(-2));
    const targetId = pick(ids, this.state.targetId, ids.at(-1));
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
      this.same.hidden = this.table.element.hidden = true;
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
    this.table.element.hidden = !valid;
    const key = valid ? `${baselineId}\u0000${targetId}` : undefined;
    if (key === this.shownKey) return;
    this.shownKey = key;
    this.mismatch.hidden = true;
    this.table.setSource(
      valid
        ? async (query, start, count) => {
            const page = await this.client.request('comparisonPage', {
              baselineId,
              targetId,
              ...query,
              start,
              count,
            });
            // Rows still show: they are what the engine computed, under the warning's caveat.
            if (this.shownKey !== key) return page;
            this.mismatch.textContent = page.mismatch ? mismatchText(page.mismatch) : '';
            this.mismatch.hidden = !page.mismatch;
            return page;
          }
        : undefined,
    );
  }

  private remember(query: TableQuery<DeltaKey>): void {
    this.state.sort = query.sort;
    this.state.filter = query.filter;
    this.save();
  }
}
