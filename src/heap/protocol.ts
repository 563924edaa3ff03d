import type { HeapSnapshotProblem } from './errors';
import type {
  ClassDelta,
  ClassSummary,
  DiffResult,
  SnapshotMismatch,
  SourceLocation,
  SummaryResult,
} from './results';

/** A sort column and direction for paged tables. */
export interface SortOrder<Column extends string> {
  column: Column;
  descending: boolean;
}

/** One page of rows; `total` counts the rows matching the filter before paging. */
export interface Page<Row> {
  total: number;
  start: number;
  rows: Row[];
}

/**
 * A page of a two-snapshot comparison, with `mismatch` when the two are not from one process in
 * that order (the comparison is then meaningless, and the explorer says so).
 */
export interface ComparisonPage extends Page<ClassDelta> {
  mismatch?: SnapshotMismatch;
}

/** An open snapshot in the engine. */
export interface OpenSnapshotInfo {
  handle: number;
  file: string;
  fileSize: number;
  nodeCount: number;
  edgeCount: number;
  totalSize: number;
}

/** One heap object as tables show it. `node` is the ordinal used in further queries. */
export interface NodeRow {
  node: number;
  id: number;
  type: string;
  className: string;
  /** V8's name: constructor, function or (shortened) string value. */
  name: string;
  selfSize: number;
  retainedSize: number;
  /** Hops from the roots; -1 when unreachable. */
  distance: number;
}

/** A reference between two objects (a child or a retainer of the queried node). */
export interface EdgeRow {
  edgeType: string;
  edgeName: string;
  node: NodeRow;
}

export interface PageQuery<Column extends string> {
  sort: SortOrder<Column>;
  /** Case-insensitive substring of the name; empty for all. */
  filter: string;
  start: number;
  count: number;
}

/** Every request the engine answers, with its parameters and result (worker RPC contract). */
export interface HeapRequests {
  open: { params: { file: string }; result: OpenSnapshotInfo };
  close: { params: { handle: number }; result: boolean };
  summary: { params: { handle: number; top?: number }; result: SummaryResult };
  classesPage: {
    params: { handle: number; query: PageQuery<keyof ClassSummary> };
    result: Page<ClassSummary>;
  };
  instancesPage: {
    params: { handle: number; className: string; start: number; count: number };
    result: Page<NodeRow>;
  };
  childrenPage: {
    params: { handle: number; node: number; start: number; count: number };
    result: Page<EdgeRow>;
  };
  retainersPage: {
    params: { handle: number; node: number; start: number; count: number };
    result: Page<EdgeRow>;
  };
  path: {
    params: { handle: number; node: number; scripts?: Record<number, string> };
    result: { labels: string[]; nodes: NodeRow[]; location?: SourceLocation };
  };
  comparisonPage: {
    params: { baseline: string; target: string; query: PageQuery<keyof ClassDelta> };
    result: ComparisonPage;
  };
  diff: {
    params: {
      baseline: string;
      target: string;
      final?: string;
      top?: number;
      /** Script id → file, from the live session (functions cannot cross the worker boundary). */
      scripts?: Record<number, string>;
    };
    result: DiffResult;
  };
}

export type HeapMethod = keyof HeapRequests;

/** Client → worker. `cancel` aborts the request with that id. */
export type ToHeapWorker = { id: number; method: HeapMethod; params: unknown } | { cancel: number };

/** The error as it crosses the worker boundary. */
export interface WireError {
  name: string;
  message: string;
  byteOffset?: number;
  section?: string;
  /** HeapSnapshotError's problem. */
  problem?: HeapSnapshotProblem;
  /** SnapshotNotOpenError's handle. */
  handle?: number;
}

/** Worker → client: a result, an error, or progress of a running request. */
export type FromHeapWorker =
  | { id: number; ok: unknown }
  | { id: number; err: WireError }
  | { id: number; progress: { done: number; total: number } };
