import type {
  AllocatedBetween,
  ClassDelta,
  ExplorerView,
  SortOrder,
  ClassSummary,
} from '../../src/extension/protocol';
import type { TreeState } from './treeGrid';

/** What the page keeps across hide/show through `vscode.setState` (plain JSON). */
export interface UiState {
  view: ExplorerView;
  summary: {
    snapshotId?: string;
    sort: SortOrder<keyof ClassSummary>;
    filter: string;
    allocatedBetween?: AllocatedBetween;
    tree: TreeState;
  };
  comparison: {
    baselineId?: string;
    targetId?: string;
    sort: SortOrder<keyof ClassDelta>;
    filter: string;
    tree: TreeState;
  };
  containment: { snapshotId?: string; tree: TreeState };
  dominators: { snapshotId?: string; tree: TreeState };
  statistics: { snapshotId?: string };
  suspects: { baselineId?: string; targetId?: string; finalId?: string };
}

const views: readonly ExplorerView[] = [
  'live',
  'summary',
  'comparison',
  'containment',
  'dominators',
  'statistics',
  'suspects',
];
const summaryColumns: readonly (keyof ClassSummary)[] = [
  'name',
  'count',
  'selfSize',
  'retainedSize',
];
const deltaColumns: readonly (keyof ClassDelta)[] = [
  'name',
  'newCount',
  'deletedCount',
  'countDelta',
  'addedSize',
  'removedSize',
  'sizeDelta',
];

/** The state of a page that has never been shown. */
export function defaultState(view: ExplorerView): UiState {
  return {
    view,
    summary: {
      sort: { column: 'retainedSize', descending: true },
      filter: '',
      tree: { expanded: [] },
    },
    comparison: {
      sort: { column: 'sizeDelta', descending: true },
      filter: '',
      tree: { expanded: [] },
    },
    containment: { tree: { expanded: [] } },
    dominators: { tree: { expanded: [] } },
    statistics: {},
    suspects: {},
  };
}

/**
 * Reads a saved state defensively: it may come from an older version of the page, so every
 * field is checked and anything unexpected falls back to the default.
 */
export function restoreState(saved: unknown, view: ExplorerView): UiState {
  const state = defaultState(view);
  if (!isRecord(saved)) return state;
  if (views.includes(saved.view as ExplorerView)) state.view = saved.view as ExplorerView;
  const summary = isRecord(saved.summary) ? saved.summary : {};
  const between = isRecord(summary.allocatedBetween) ? summary.allocatedBetween : {};
  const afterSnapshotId = optionalString(between.afterSnapshotId);
  const upToSnapshotId = optionalString(between.upToSnapshotId);
  state.summary = {
    snapshotId: optionalString(summary.snapshotId),
    sort: sortOrder(summary.sort, summaryColumns) ?? state.summary.sort,
    filter: optionalString(summary.filter) ?? '',
    tree: treeState(summary.tree),
  };
  if (upToSnapshotId !== undefined)
    state.summary.allocatedBetween =
      afterSnapshotId === undefined ? { upToSnapshotId } : { afterSnapshotId, upToSnapshotId };
  const comparison = isRecord(saved.comparison) ? saved.comparison : {};
  state.comparison = {
    baselineId: optionalString(comparison.baselineId),
    targetId: optionalString(comparison.targetId),
    sort: sortOrder(comparison.sort, deltaColumns) ?? state.comparison.sort,
    filter: optionalString(comparison.filter) ?? '',
    tree: treeState(comparison.tree),
  };
  for (const view of ['containment', 'dominators'] as const) {
    const part = isRecord(saved[view]) ? saved[view] : {};
    state[view] = { snapshotId: optionalString(part.snapshotId), tree: treeState(part.tree) };
  }
  const statistics = isRecord(saved.statistics) ? saved.statistics : {};
  state.statistics = { snapshotId: optionalString(statistics.snapshotId) };
  const suspects = isRecord(saved.suspects) ? saved.suspects : {};
  state.suspects = {
    baselineId: optionalString(suspects.baselineId),
    targetId: optionalString(suspects.targetId),
    finalId: optionalString(suspects.finalId),
  };
  return state;
}

/** Expanded rows are key paths; anything else in a saved state is dropped. */
function treeState(value: unknown): TreeState {
  if (!isRecord(value)) return { expanded: [] };
  const expanded = Array.isArray(value.expanded)
    ? value.expanded.filter((key): key is string => typeof key === 'string')
    : [];
  const selected = optionalString(value.selected);
  return selected === undefined ? { expanded } : { expanded, selected };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function sortOrder<C extends string>(
  value: unknown,
  columns: readonly C[],
): SortOrder<C> | undefined {
  if (!isRecord(value) || !columns.includes(value.column as C)) return undefined;
  return { column: value.column as C, descending: value.descending === true };
}
