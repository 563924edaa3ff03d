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
  /** Smallest distance from the roots over the members (DevTools' Distance column). */
  distance: number;
}

export interface SummaryResult {
  nodeCount: number;
  edgeCount: number;
  totalSize: number;
  classes: ClassSummary[];
}

/**
 * One class of a comparison, named as the Summary names it (`{userAgent, ip}`, not `Object`),
 * with DevTools' columns: # New, # Deleted, # Delta, Alloc. size, Freed size, Size delta.
 * Sizes are V8's own self sizes.
 */
export interface ClassDelta {
  name: string;
  newCount: number;
  deletedCount: number;
  countDelta: number;
  /** Self sizes of the new objects. */
  addedSize: number;
  /** Self sizes of the deleted objects. */
  removedSize: number;
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
  /** Class of the container that holds the group, e.g. `MemoryStore`, `InterceptorManager`, `Map`. */
  container?: string;
  /**
   * Where to send the user: the line of their own code that allocated the group (from the
   * allocation stack), else the line that stores into the container.
   */
  location?: SourceLocation;
  /** Where the example object was allocated, when the snapshot has allocation traces. */
  allocation?: AllocationSite;
  /** Up to three distinct retention routes of the example, the shown `path` first. */
  routes?: string[][];
}

/** One frame of an allocation stack, mapped through source maps where the script has one. */
export interface AllocationFrame {
  functionName: string;
  /** Absolute path or URL of the script (the original source when a source map maps it). */
  file: string;
  /** 1-based line and column of the function's start (V8 traces record functions, not lines). */
  line: number;
  column: number;
  /** Where the frame's code comes from: the user's own code, a dependency, or Node itself. */
  origin: 'user' | 'library' | 'node';
}

/** The allocation stack of a suspect's example object, innermost frame first. */
export interface AllocationSite {
  stack: AllocationFrame[];
  /** Index in `stack` of the first (innermost) frame in the user's own code. */
  userFrame?: number;
  /** Index in `stack` of the innermost dependency frame below the user frame, when there is one. */
  libraryFrame?: number;
  /** The line in the user frame that allocates or makes the call that does. */
  line?: SourceLocation;
}

export interface DiffResult {
  classes: ClassDelta[];
  suspects: LeakSuspect[];
  /** With three snapshots: what was allocated between the first two and is alive in the third. */
  survivors?: SurvivorTotals;
  /** Set when the snapshots are not from one process in the order given: the diff is meaningless. */
  mismatch?: SnapshotMismatch;
}

/**
 * Why a diff of these snapshots would be silently wrong. V8 numbers a process's heap objects as
 * it first sees them, so ids only compare within one process, and only grow: snapshots of
 * different processes share ids that name unrelated objects, and snapshots given newest first
 * make every object freed in between look new.
 */
export type SnapshotMismatch =
  | {
      kind: 'different-processes';
      /** Positions (in the order given) of two snapshots that come from different processes. */
      first: number;
      second: number;
      /** Of the objects both hold under one id, the share whose type and name agree (1 within a process). */
      agreement: number;
    }
  | {
      kind: 'out-of-order';
      /** The positions given, in the order the snapshots were taken. */
      takenOrder: number[];
      /** Position of a snapshot that is older than the one given before it. */
      second: number;
      /** Objects of the snapshot given before it with newer ids than all of its own (0 in order). */
      newerObjects: number;
    };

/**
 * The exact bytes that survived: objects allocated between baseline and target and still alive
 * in final, by V8 self size. V8's own objects (compiled code, feedback, shapes, `(system)`) are
 * counted apart: they grow while a program warms up and are not the program's to free.
 */
export interface SurvivorTotals {
  count: number;
  /** Self sizes of the program's own survivors (objects, strings, arrays, closures, contexts…). */
  bytes: number;
  v8Count: number;
  /** Self sizes of V8's own survivors. */
  v8Bytes: number;
  /** The program's survivors by class, largest first (at most ten). */
  classes: { name: string; count: number; bytes: number }[];
}

/** Maps a V8 script id (from a snapshot's `locations`) to a file path or URL. */
export type ScriptResolver = (scriptId: number) => string | undefined;
