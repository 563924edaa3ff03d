import type { HeapRequests, OpenSnapshotInfo } from '../../heap/protocol';
import type { DiffResult } from '../../heap/results';
import type { SnapshotDiff } from '../../hunt/types';
import type { ClassDelta, ComparisonPage, Page, SortOrder, ClassSummary } from '../protocol';

export interface AnalysisOptions {
  signal?: AbortSignal;
  /** 0..1 while a snapshot is being read. */
  onProgress?: (file: string, fraction: number) => void;
}

/** Engine queries on one open snapshot (the explorer's trees and views). */
export type SnapshotQuery =
  | 'classesPage'
  | 'instancesPage'
  | 'childrenPage'
  | 'retainersPage'
  | 'node'
  | 'allocationStack'
  | 'dominatorsPage'
  | 'containment'
  | 'statistics'
  | 'treemap';

/** A snapshot query's parameters, the snapshot named by its file instead of a handle. */
export type SnapshotQueryParams<M extends SnapshotQuery> = Omit<
  HeapRequests[M]['params'],
  'handle'
>;

/** Options of queries on a snapshot: `scripts` maps its script ids to files (live session). */
export type SnapshotOptions = AnalysisOptions & { scripts?: Record<number, string> };

/**
 * The heap engine as the editor uses it: every call runs in the heap worker, never on the
 * extension host thread; snapshots stay open in the worker (LRU) so paging is cheap.
 */
export interface HeapAnalysis {
  summaryPage(
    file: string,
    query: { sort: SortOrder<keyof ClassSummary>; filter: string; start: number; count: number },
    options?: AnalysisOptions,
  ): Promise<Page<ClassSummary>>;
  comparisonPage(
    files: { baseline: string; target: string },
    query: { sort: SortOrder<keyof ClassDelta>; filter: string; start: number; count: number },
    options?: AnalysisOptions,
  ): Promise<ComparisonPage>;
  findLeaks(
    files: { baseline: string; target: string; final: string },
    /** `scripts`: script id → file, from the live session that took the snapshots. */
    options?: AnalysisOptions & { scripts?: Record<number, string>; top?: number },
  ): Promise<DiffResult>;
  /** Opens `file` in the worker (once) and returns what it found. */
  open(file: string, options?: SnapshotOptions): Promise<OpenSnapshotInfo>;
  /** One query on the snapshot in `file`, opened first if it is not. */
  query<M extends SnapshotQuery>(
    file: string,
    method: M,
    params: SnapshotQueryParams<M>,
    options?: SnapshotOptions,
  ): Promise<HeapRequests[M]['result']>;
  /** A comparison class's new objects (of the target) or deleted ones (of the baseline). */
  comparisonObjects(
    params: HeapRequests['comparisonObjectsPage']['params'],
    options?: AnalysisOptions,
  ): Promise<HeapRequests['comparisonObjectsPage']['result']>;
  /** The highest heap-object id of a snapshot file (the bound of "allocated between" filters). */
  maxObjectId(file: string, options?: AnalysisOptions): Promise<number>;
  dispose(): void;
}

/** The heap worker's three-snapshot diff in the shape the hunt pipeline calls. */
export function workerDiff(heap: HeapAnalysis): SnapshotDiff {
  return (files, { signal, onProgress, scripts, top }) =>
    heap.findLeaks(files, {
      signal,
      scripts,
      top,
      ...(onProgress ? { onProgress: (_file, fraction) => onProgress(fraction, 1) } : {}),
    });
}
