import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DiffResult, SummaryResult } from '../../src/heap/results';
import type {
  ClassDelta,
  HostRequests,
  Page,
  SnapshotInfo,
  SortOrder,
  ClassSummary,
  ToWebview,
} from '../../src/extension/protocol';

const fixtureDir = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'webview');

/** The heap string every test plants: if it were parsed as HTML, `alert` would open a dialog. */
export const hostile = '<img src=x onerror=alert(1)>';

/**
 * A summary as `leakhunt summary --json` prints it (hand-written, shaped like
 * src/heap/results.ts); classes the file has no distance for get one by their position.
 */
const summaryFile = JSON.parse(
  readFileSync(join(fixtureDir, 'summary.json'), 'utf8'),
) as SummaryResult;
export const summary: SummaryResult = {
  ...summaryFile,
  classes: summaryFile.classes.map((row, i) => ({ ...row, distance: row.distance ?? 2 + (i % 5) })),
};

/**
 * A three-snapshot diff as `leakhunt diff --json` prints it; a class the file has no
 * Alloc. / Freed size for gets one from its counts (32 bytes an object).
 */
const diffFile = JSON.parse(readFileSync(join(fixtureDir, 'diff.json'), 'utf8')) as DiffResult;
export const diff: DiffResult = {
  ...diffFile,
  classes: diffFile.classes.map((row) => ({
    ...row,
    addedSize: row.addedSize ?? row.newCount * 32,
    removedSize: row.removedSize ?? row.deletedCount * 32,
  })),
};

/** What the real engine prints for a tiny leaky heap (regenerate with test/fixtures/webview/generate.mjs). */
export const engineSummary = JSON.parse(
  readFileSync(join(fixtureDir, 'engine-summary.json'), 'utf8'),
) as SummaryResult;

/** The engine's three-snapshot diff of the same heap. */
export const engineDiff = JSON.parse(
  readFileSync(join(fixtureDir, 'engine-diff.json'), 'utf8'),
) as DiffResult;

/** Sorts, filters and pages rows the way the extension host does for `summaryPage` / `comparisonPage`. */
export function pageOf<Row extends { name: string }>(
  rows: readonly Row[],
  params: { sort: SortOrder<keyof Row & string>; filter: string; start: number; count: number },
): Page<Row> {
  const needle = params.filter.toLowerCase();
  const matching = rows.filter((row) => row.name.toLowerCase().includes(needle));
  const { column, descending } = params.sort;
  const sorted = [...matching].sort((a, b) => {
    const x = a[column];
    const y = b[column];
    const order =
      typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return descending ? -order : order;
  });
  return {
    total: sorted.length,
    start: params.start,
    rows: sorted.slice(params.start, params.start + params.count),
  };
}

/** `count` more summary rows after the fixture's, so paging has pages to ask for. */
export function manyClasses(count: number): ClassSummary[] {
  const extra = Array.from({ length: count }, (_, i) => ({
    name: `Generated${String(i).padStart(4, '0')}`,
    count: i + 1,
    selfSize: (i + 1) * 32,
    retainedSize: (i + 1) * 64,
    distance: 3,
  }));
  return [...summary.classes, ...extra];
}

/** Three ready snapshots a minute apart, plus optional others. */
export function snapshots(...more: SnapshotInfo[]): SnapshotInfo[] {
  const start = Date.UTC(2026, 10, 23, 9, 0, 0);
  const ready = ['S1', 'S2', 'S3'].map((label, i): SnapshotInfo => ({
    id: `snap-${i + 1}`,
    label,
    file: `/tmp/leakhunt/user-${i + 1}.heapsnapshot`,
    takenAt: start + i * 60_000,
    sizeBytes: (6 + i * 3) * 1024 * 1024,
    service: 'user',
    state: 'ready',
  }));
  return [...ready, ...more];
}

/** An `init` message with the fixture snapshots and no live services. */
export function init(overrides: Partial<Extract<ToWebview, { type: 'init' }>> = {}): ToWebview {
  return {
    type: 'init',
    title: 'Heap Explorer — user-sessions',
    view: 'summary',
    snapshots: snapshots(),
    services: [],
    canRun: true,
    load: 'idle',
    ...overrides,
  };
}

/** Responders over the fixtures for all three request kinds. */
export const answers = {
  summaryPage: (rows: readonly ClassSummary[]) => (params: HostRequests['summaryPage']['params']) =>
    pageOf(rows, params),
  comparisonPage:
    (rows: readonly ClassDelta[]) => (params: HostRequests['comparisonPage']['params']) =>
      pageOf(rows, params),
};
