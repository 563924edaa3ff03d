/**
 * The one message protocol between the extension host and the Heap Explorer webview. Both sides
 * import these types; `switch` statements over them end in `assertNever`. Large data (class
 * tables) is never pushed whole: the webview asks for pages through `request` messages and the
 * host answers with `response` carrying the same id.
 */
import type {
  ComparisonPage,
  ComparisonSide,
  ContainmentRoots,
  EdgeRow,
  HeapStatistics,
  InstanceColumn,
  NodeRow,
  Page,
  SortOrder,
  TreemapNode,
  ValuePreview,
} from '../heap/protocol';
import type {
  AllocationFrame,
  AllocationSite,
  ClassDelta,
  ClassSummary,
  LeakSuspect,
  SourceLocation,
} from '../heap/results';
import type { HeapSample } from '../inspector/heapSample';

export type {
  AllocationFrame,
  AllocationSite,
  ClassDelta,
  ClassSummary,
  ComparisonPage,
  ComparisonSide,
  ContainmentRoots,
  EdgeRow,
  HeapSample,
  HeapStatistics,
  InstanceColumn,
  LeakSuspect,
  NodeRow,
  Page,
  SortOrder,
  SourceLocation,
  TreemapNode,
  ValuePreview,
};

export type SnapshotState = 'capturing' | 'parsing' | 'ready' | 'error';

/** A heap snapshot the explorer knows about (taken in a live session or opened from disk). */
export interface SnapshotInfo {
  id: string;
  label: string;
  file: string;
  /** Epoch milliseconds. */
  takenAt: number;
  sizeBytes: number;
  service?: string;
  state: SnapshotState;
  /** 0..1 while capturing or parsing. */
  progress?: number;
  error?: string;
}

export type ServiceState = 'starting' | 'running' | 'stopped' | 'crashed';

/** One service's live memory series with the moments snapshots were taken. */
export interface ServiceSeries {
  service: string;
  state: ServiceState;
  samples: HeapSample[];
  markers: SnapshotMarker[];
  /** Current growth in bytes per request, when load has run long enough to tell. */
  bytesPerRequest?: number;
}

export interface SnapshotMarker {
  time: number;
  snapshotId: string;
  label: string;
}

export type ExplorerView =
  'live' | 'summary' | 'comparison' | 'containment' | 'dominators' | 'statistics' | 'suspects';

/** Snapshots chosen for a view; each id is a `SnapshotInfo.id`. */
export interface ExplorerSelection {
  snapshotId?: string;
  baselineId?: string;
  targetId?: string;
  finalId?: string;
}

/** The three-snapshot result the Leak suspects view shows. */
export interface SuspectsResult {
  baselineId: string;
  targetId: string;
  finalId: string;
  suspects: LeakSuspect[];
  /** Find Leak's verdict on the run that took the three snapshots. */
  verdict?: { verdict: 'leak' | 'no-leak' | 'inconclusive'; reason: string; advice?: string };
}

/**
 * DevTools' Summary filter "objects allocated between snapshot X and Y": the objects of the
 * shown snapshot whose V8 id is above the highest id of `afterSnapshotId` (none: from the start)
 * and at most the highest id of `upToSnapshotId`. Both are snapshots of the same process.
 */
export interface AllocatedBetween {
  afterSnapshotId?: string;
  upToSnapshotId: string;
}

/** Facts about one snapshot the views need before they ask for rows. */
export interface SnapshotFacts {
  nodeCount: number;
  edgeCount: number;
  totalSize: number;
  /** True when V8 recorded allocation stacks: `allocationStack` then answers. */
  hasAllocationTraces: boolean;
}

/**
 * Requests the webview may make, each with its parameters and the result the host returns.
 * `node` numbers are the ordinals of rows (`NodeRow.node`) of the same snapshot: they stay
 * valid for that snapshot (its file) across requests. Pages hold at most 200 rows.
 */
export interface HostRequests {
  summaryPage: {
    params: {
      snapshotId: string;
      sort: SortOrder<keyof ClassSummary>;
      /** Case-insensitive substring of the class name; empty for all. */
      filter: string;
      start: number;
      count: number;
      allocatedBetween?: AllocatedBetween;
    };
    result: Page<ClassSummary>;
  };
  snapshotFacts: { params: { snapshotId: string }; result: SnapshotFacts };
  /** A Summary class's objects (largest retained first unless `sort` says otherwise). */
  instancesPage: {
    params: {
      snapshotId: string;
      className: string;
      start: number;
      count: number;
      sort?: SortOrder<InstanceColumn>;
      allocatedBetween?: AllocatedBetween;
    };
    result: Page<NodeRow>;
  };
  /** What an object holds: its properties, elements and internal references. */
  childrenPage: {
    params: { snapshotId: string; node: number; start: number; count: number };
    result: Page<EdgeRow>;
  };
  /**
   * Who holds an object: nearest retainer (shortest route) first, weak references last.
   * `ancestors`: the nodes the Retainers tree went through to reach `node` (cycles get marked).
   */
  retainersPage: {
    params: {
      snapshotId: string;
      node: number;
      start: number;
      count: number;
      ancestors?: number[];
    };
    result: Page<EdgeRow>;
  };
  /** Search by `@id`: the object with that V8 id, or null when the snapshot has none. */
  nodeById: { params: { snapshotId: string; id: number }; result: NodeRow | null };
  /** Where an object was allocated (innermost frame first); null when it has no trace. */
  allocationStack: {
    params: { snapshotId: string; node: number };
    result: AllocationSite | null;
  };
  comparisonPage: {
    params: {
      baselineId: string;
      targetId: string;
      sort: SortOrder<keyof ClassDelta>;
      filter: string;
      start: number;
      count: number;
    };
    /** With `mismatch` when the two are not from one process in this order. */
    result: ComparisonPage;
  };
  /**
   * A Comparison class's new objects (rows of the target snapshot) or deleted objects (rows of
   * the baseline): further requests on a row name that snapshot.
   */
  comparisonObjectsPage: {
    params: {
      baselineId: string;
      targetId: string;
      className: string;
      side: ComparisonSide;
      start: number;
      count: number;
    };
    result: Page<NodeRow>;
  };
  /** Containment's top: the root's references (GC roots, the global object) and module scopes. */
  containment: { params: { snapshotId: string }; result: ContainmentRoots };
  /** Dominators: what `node` (the root when absent) dominates, largest retained first. */
  dominatorsPage: {
    params: { snapshotId: string; node?: number; start: number; count: number };
    result: Page<NodeRow>;
  };
  /** Statistics: memory by kind. */
  statistics: { params: { snapshotId: string }; result: HeapStatistics };
  /**
   * The dominator tree as a treemap from `node` (the root when absent): `depth` levels (≤ 4),
   * each node's `breadth` (≤ 20) largest children, the rest folded into `other`.
   */
  treemap: {
    params: { snapshotId: string; node?: number; depth: number; breadth: number };
    result: TreemapNode;
  };
  findLeaks: {
    params: { baselineId: string; targetId: string; finalId: string };
    result: SuspectsResult;
  };
}

export type HostRequestMethod = keyof HostRequests;

export type HostRequest = {
  [M in HostRequestMethod]: { method: M; params: HostRequests[M]['params'] };
}[HostRequestMethod];

/** An error shown in place, with what to do about it. */
export interface ShownError {
  message: string;
  nextStep?: string;
}

/**
 * Whether the page's Start load / Stop load apply: `unavailable` without a session whose services
 * Leak Hunt started (an attached process has no load profile).
 */
export type LoadState = 'idle' | 'running' | 'unavailable';

/** Commands the webview can ask the extension to run (buttons in the page). */
export type ExplorerCommand =
  'takeSnapshot' | 'findLeak' | 'startLoad' | 'stopLoad' | 'openSnapshot';

/** Messages the extension sends to the webview. */
export type ToWebview =
  /** Full state, sent in answer to `ready` (also after the panel is revived). */
  | {
      type: 'init';
      title: string;
      view: ExplorerView;
      snapshots: SnapshotInfo[];
      services: ServiceSeries[];
      suspects?: SuspectsResult;
      /** False in untrusted workspaces or with no live session: live actions are disabled. */
      canRun: boolean;
      load: LoadState;
      /** The pair Comparison opens on: the latest Find Leak's baseline → target, when there is one. */
      defaultComparison?: { baselineId: string; targetId: string };
    }
  /** Load started or ended (or became unavailable). */
  | { type: 'load'; load: LoadState }
  | { type: 'snapshots'; snapshots: SnapshotInfo[] }
  /** New samples, appended to the service's series. */
  | { type: 'samples'; service: string; samples: HeapSample[] }
  | { type: 'service'; service: string; state: ServiceState; bytesPerRequest?: number }
  | { type: 'marker'; service: string; marker: SnapshotMarker }
  | { type: 'suspects'; result: SuspectsResult }
  /** Switch view; `selection` picks snapshots (by id) for it, e.g. after "Compare Snapshots…". */
  | { type: 'show'; view: ExplorerView; selection?: ExplorerSelection }
  | { type: 'response'; id: number; ok: unknown }
  | { type: 'response'; id: number; err: ShownError }
  | { type: 'error'; error: ShownError };

/** Messages the webview sends to the extension. */
export type FromWebview =
  | { type: 'ready' }
  | { type: 'request'; id: number; request: HostRequest }
  | { type: 'openSource'; location: SourceLocation }
  | { type: 'command'; command: ExplorerCommand }
  | { type: 'log'; level: 'info' | 'error'; message: string };

export function assertNever(value: never): never {
  throw new Error(`Unexpected message: ${JSON.stringify(value)}`);
}
