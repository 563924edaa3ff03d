import type { DiffResult } from '../../heap/results';
import type { SnapshotDiff } from '../../hunt/types';
import type { ClassDelta, ComparisonPage, Page, SortOrder, ClassSummary } from '../protocol';

export interface AnalysisOptions {
  signal?: AbortSignal;
  /** 0..1 while a snapshot is being read. */
  onProgress?: (file: string, fraction: number) => void;
}

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
