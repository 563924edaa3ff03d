/**
 * The one message protocol between the extension host and the Heap Explorer webview. Both sides
 * import these types; `switch` statements over them end in `assertNever`. Large data (class
 * tables) is never pushed whole: the webview asks for pages through `request` messages and the
 * host answers with `response` carrying the same id.
 */
import type { ComparisonPage, Page, SortOrder } from '../heap/protocol';
import type { ClassDelta, ClassSummary, LeakSuspect, SourceLocation } from '../heap/results';
import type { HeapSample } from '../inspector/heapSample';

export type {
  ClassDelta,
  ClassSummary,
  ComparisonPage,
  HeapSample,
  LeakSuspect,
  Page,
  SortOrder,
  SourceLocation,
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

export type ExplorerView = 'live' | 'summary' | 'comparison' | 'suspects';

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

/** Requests the webview may make, each with its parameters and the result the host returns. */
export interface HostRequests {
  summaryPage: {
    params: {
      snapshotId: string;
      sort: SortOrder<keyof ClassSummary>;
      /** Case-insensitive substring of the class name; empty for all. */
      filter: string;
      start: number;
      count: number;
    };
    result: Page<ClassSummary>;
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
