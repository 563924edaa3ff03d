/**
 * Plain, JSON-able results of the heap engine: what the CLI prints with `--json`, what the
 * webview renders and what `hunt` reports. Field names are a stable contract.
 */

export interface SourceLocation {
  /** Absolute path or URL of the script, as resolved from the snapshot or the live session. */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

export interface ClassSummary {
  name: string;
  count: number;
  selfSize: number;
  retainedSize: number;
}

export interface SummaryResult {
  nodeCount: number;
  edgeCount: number;
  totalSize: number;
  classes: ClassSummary[];
}

export interface ClassDelta {
  name: string;
  newCount: number;
  deletedCount: number;
  countDelta: number;
  sizeDelta: number;
}

export interface LeakSuspect {
  /** Class of the leaking objects. */
  name: string;
  count: number;
  retainedSize: number;
  /**
   * One example retainer path, as readable steps from where it starts (the global object, a
   * module scope or a GC root), e.g. `(module service.js)`, `activeSessionsCache`, `4711`.
   */
  path: string[];
  /** The variable or property that holds the group (the growing container), e.g. `activeSessionsCache`. */
  owner?: string;
  location?: SourceLocation;
}

export interface DiffResult {
  classes: ClassDelta[];
  suspects: LeakSuspect[];
}

/** Maps a V8 script id (from a snapshot's `locations`) to a file path or URL. */
export type ScriptResolver = (scriptId: number) => string | undefined;
