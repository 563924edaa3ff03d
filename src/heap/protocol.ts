import type { HeapSnapshotProblem } from './errors';
import type {
  AllocationSite,
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
  /** True when V8 recorded allocation stacks (`allocationStack` answers). */
  hasAllocationTraces: boolean;
  /** The highest V8 heap-object id in it. */
  maxObjectId: number;
}

/**
 * A short preview of a value, cut by the engine so a 50 MB string never crosses a message:
 * string content (up to 200 characters), a number, a boolean, `null` or
 * `undefined`, or for an object its first properties (`{ip: "127.0.0.1", …}`) and for an
 * array its length (`Array(50)`). Heap data: render it as text, never as markup.
 */
export interface ValuePreview {
  kind: 'string' | 'number' | 'boolean' | 'null' | 'undefined' | 'symbol' | 'bigint' | 'object';
  text: string;
  /** True when `text` was cut (the value is longer). */
  truncated?: boolean;
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
  preview?: ValuePreview;
  /**
   * Where a function (closure), a scope (context) or an object (its constructor) is defined,
   * when the snapshot knows: what "Go to source" opens.
   */
  location?: SourceLocation;
  /** True when the object has outgoing references (the tree shows an expander). */
  hasChildren: boolean;
}

/** A reference between two objects (a child or a retainer of the queried node). */
export interface EdgeRow {
  edgeType: string;
  edgeName: string;
  node: NodeRow;
  /** A weak reference: it does not keep the object alive. */
  weak?: boolean;
  /** Retainers only: the retainer is the queried object or one of the `ancestors` given. */
  cycle?: boolean;
}

export interface PageQuery<Column extends string> {
  sort: SortOrder<Column>;
  /** Case-insensitive substring of the name; empty for all. */
  filter: string;
  start: number;
  count: number;
}

/** Instance sort columns. */
export type InstanceColumn = 'id' | 'distance' | 'selfSize' | 'retainedSize';

/**
 * V8 object ids in a range: DevTools' "objects allocated between snapshot X and Y" keeps the
 * objects with `after < id <= upTo`, the bounds being the highest object ids of X and Y.
 */
export interface IdRange {
  /** Exclusive; 0 for "since the start". */
  after: number;
  /** Inclusive. */
  upTo: number;
}

/** Which objects of a comparison a page lists: new ones live in the target, deleted in the baseline. */
export type ComparisonSide = 'new' | 'deleted';

/** Memory by kind, like DevTools' Statistics (bytes; `other` is what the rest leave). */
export interface HeapStatistics {
  total: number;
  code: number;
  strings: number;
  jsArrays: number;
  typedArrays: number;
  /** Objects only reachable from V8's own roots. */
  system: number;
  other: number;
  /** Of `total`, native (embedder) memory; the rest is the V8 heap. */
  native: number;
}

/**
 * One rectangle of the dominator treemap: a node and the largest subtrees it dominates. The
 * children that did not fit are folded into `other` (their count and retained bytes).
 */
export interface TreemapNode {
  node: number;
  id: number;
  className: string;
  name: string;
  retainedSize: number;
  selfSize: number;
  children: TreemapNode[];
  other?: { count: number; retainedSize: number };
}

/** Where containment starts: the root's children (GC roots, globals) and the module scopes. */
export interface ContainmentRoots {
  roots: EdgeRow[];
  /** Top-level scopes of the loaded modules, labelled `(module service.js)`. */
  modules: { label: string; row: NodeRow }[];
}

/** Every request the engine answers, with its parameters and result (worker RPC contract). */
export interface HeapRequests {
  /** `scripts`: script id → file from the live session that took it (kept with the snapshot). */
  open: { params: { file: string; scripts?: Record<number, string> }; result: OpenSnapshotInfo };
  close: { params: { handle: number }; result: boolean };
  summary: { params: { handle: number; top?: number }; result: SummaryResult };
  classesPage: {
    params: { handle: number; query: PageQuery<keyof ClassSummary>; idRange?: IdRange };
    result: Page<ClassSummary>;
  };
  /** A class's members (as counted in the Summary), largest retained first by default. */
  instancesPage: {
    params: {
      handle: number;
      className: string;
      start: number;
      count: number;
      sort?: SortOrder<InstanceColumn>;
      idRange?: IdRange;
    };
    result: Page<NodeRow>;
  };
  childrenPage: {
    params: { handle: number; node: number; start: number; count: number };
    result: Page<EdgeRow>;
  };
  /**
   * Who holds `node`, the shortest route (nearest retainer) first and weak references last.
   * `ancestors`: the nodes the tree walked through to get here, to mark cycles.
   */
  retainersPage: {
    params: { handle: number; node: number; start: number; count: number; ancestors?: number[] };
    result: Page<EdgeRow>;
  };
  /** The object with V8 id `id` (DevTools' `@id`), or null. */
  node: { params: { handle: number; id: number }; result: NodeRow | null };
  /** Where `node` was allocated, innermost frame first; null without allocation traces. */
  allocationStack: { params: { handle: number; node: number }; result: AllocationSite | null };
  path: {
    params: { handle: number; node: number; scripts?: Record<number, string> };
    result: { labels: string[]; nodes: NodeRow[]; location?: SourceLocation };
  };
  /** Children of `node` in the dominator tree (the root's for the top), largest retained first. */
  dominatorsPage: {
    params: { handle: number; node: number; start: number; count: number };
    result: Page<NodeRow>;
  };
  containment: { params: { handle: number }; result: ContainmentRoots };
  statistics: { params: { handle: number }; result: HeapStatistics };
  /**
   * The dominator tree from `node` (the root by default), `depth` levels deep, each node's
   * largest `breadth` children, the rest folded into `other`.
   */
  treemap: {
    params: { handle: number; node?: number; depth: number; breadth: number };
    result: TreemapNode;
  };
  /** The highest V8 heap-object id of a snapshot file: where "allocated between" ranges end. */
  maxObjectId: { params: { file: string }; result: number };
  comparisonPage: {
    params: { baseline: string; target: string; query: PageQuery<keyof ClassDelta> };
    result: ComparisonPage;
  };
  /** A class's new objects (rows of the target) or deleted ones (rows of the baseline). */
  comparisonObjectsPage: {
    params: {
      baseline: string;
      target: string;
      className: string;
      side: ComparisonSide;
      start: number;
      count: number;
    };
    result: Page<NodeRow>;
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
