import type {
  ClassDelta,
  ExplorerView,
  SortOrder,
  ClassSummary,
} from '../../src/extension/protocol';

/** What the page keeps across hide/show through `vscode.setState` (plain JSON). */
export interface UiState {
  view: ExplorerView;
  summary: { snapshotId?: string; sort: SortOrder<keyof ClassSummary>; filter: string };
  comparison: {
    baselineId?: string;
    targetId?: string;
    sort: SortOrder<keyof ClassDelta>;
    filter: string;
  };
  suspects: { baselineId?: string; targetId?: string; finalId?: string };
}

const views: readonly ExplorerView[] = ['live', 'summary', 'comparison', 'suspects'];
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
  'sizeDelta',
];

/** The state of a page that has never been shown. */
export function defaultState(view: ExplorerView): UiState {
  return {
    view,
    summary: { sort: { column: 'retainedSize', descending: true }, filter: '' },
    comparison: { sort: { column: 'sizeDelta', descending: true }, filter: '' },
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
  state.summary = {
    snapshotId: optionalString(summary.snapshotId),
    sort: sortOrder(summary.sort, summaryColumns) ?? state.summary.sort,
    filter: optionalString(summary.filter) ?? '',
  };
  const comparison = isRecord(saved.comparison) ? saved.comparison : {};
  state.comparison = {
    baselineId: optionalString(comparison.baselineId),
    targetId: optionalString(comparison.targetId),
    sort: sortOrder(comparison.sort, deltaColumns) ?? state.comparison.sort,
    filter: optionalString(comparison.filter) ?? '',
  };
  const suspects = isRecord(saved.suspects) ? saved.suspects : {};
  state.suspects = {
    baselineId: optionalString(suspects.baselineId),
    targetId: optionalString(suspects.targetId),
    finalId: optionalString(suspects.finalId),
  };
  return state;
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
