/**
 * Shapes of the one hunt pipeline: what it runs on (a rig), what it is asked to do (a plan), what
 * it reports while it runs (events) and what it returns (a report, exactly what `--json` prints).
 */
import type { ExitInfo, InspectorSession } from '../inspector/types';
import type { DiffResult, LeakSuspect, SurvivorTotals } from '../heap/results';
import type { LoadRequest } from '../exercises/manifest';
import type { LoadStats } from '../load';

export type Verdict = 'leak' | 'no-leak' | 'inconclusive';

/** One process the hunt can measure and snapshot. */
export interface RigService {
  name: string;
  session: InspectorSession;
  /** Settles when the process ends, when the rig owns it. */
  exited?: Promise<ExitInfo>;
}

/**
 * What the pipeline runs on: services with inspector sessions and a way to send them load. The
 * CLI launches an exercise's services, a start command or attaches to a running process; the
 * editor lends its live session. The pipeline never starts or stops processes itself.
 */
export interface HuntRig {
  services: RigService[];
  /** Aborts on the caller's cancel, or when a service the rig owns ends. */
  signal: AbortSignal;
  /**
   * Sends `count` requests of the mix, numbering them from `first`; fails if none succeeds, and
   * with a `LoadStalledError` if one gets no response within `limits.requestTimeoutMs`.
   */
  load(
    requests: LoadRequest[],
    count: number,
    first: number,
    limits?: { requestTimeoutMs?: number },
  ): Promise<LoadStats>;
  /** Runs `work`, but settles with the abort reason as soon as `signal` aborts. */
  guard<T>(work: Promise<T>): Promise<T>;
  /**
   * Every service records allocation stacks from its start (`--track-heap-objects`). Otherwise
   * the pipeline switches recording on over the inspector, which costs more: V8 then also runs a
   * full GC every 50 ms to stream heap statistics.
   */
  tracksAllocations?: boolean;
}

/** What one run measures: the same steps for `hunt` and `check`, with or without suspects. */
export interface HuntPlan {
  /** The service to measure; without one, a probe load picks the one that grows most. */
  service?: string;
  requests: LoadRequest[];
  warmup: number;
  /** Requests sent between two rungs. */
  requestsPerRung: number;
  /** Loads after the warm-up; the heap is read after GC before the first and after each. */
  rungs: number;
  thresholdBytesPerRequest: number;
  /** Record allocation stacks between the first and the last snapshot (for suspects' lines). */
  trackAllocations: boolean;
  /** Leak suspects to describe; 0 skips the suspect search (the verdict still gets survivors). */
  top: number;
}

export type HuntPhase =
  'start' | 'warmup' | 'load' | 'measure' | 'snapshot' | 'diff' | 'verdict' | 'stop';

/** Progress of a run: phases as data; the CLI prints the message, the editor shows it. */
export interface HuntEvent {
  phase: HuntPhase;
  message: string;
  /** How far the whole run is, 0..1, when known. */
  fraction?: number;
}

/** One rung: heap in use after forced GC, once `requests` had been sent after the warm-up. */
/** What a service holds after a forced GC. */
export interface MemoryReading {
  usedHeap: number;
  /**
   * ArrayBuffer backing stores (Buffers, typed arrays), outside the V8 heap. A Buffer leak grows
   * this while `usedHeap` barely moves; absent when the target could not say.
   */
  arrayBuffers?: number;
}

export interface Rung extends MemoryReading {
  requests: number;
  /** The snapshot taken at this rung, if any. */
  snapshot?: string;
}

/** A snapshot the pipeline wrote, announced as soon as it is on disk. */
export interface TakenSnapshot {
  file: string;
  service: string;
  label: 'baseline' | 'target' | 'final';
  bytes: number;
  takenAt: number;
}

/** Wall-clock split of one run, in milliseconds. */
export interface HuntTimings {
  startMs: number;
  loadMs: number;
  snapshotMs: number;
  diffMs: number;
  totalMs: number;
}

/** Everything the verdict was decided on, so a reader can see why it came out as it did. */
export interface HuntEvidence {
  requestsPerRung: number;
  /** Heap growth per request between consecutive rungs. */
  growthPerRung: number[];
  /** Least-squares slope from the second rung on, past the first load's one-time warm-up. */
  lateBytesPerRequest: number;
  /** The program's bytes allocated during the load between the baseline and target snapshots
   * and still alive in the final one, per request of that load. */
  survivingBytesPerRequest?: number;
  /** The same for V8's own objects (compiled code, shapes, system), which the verdict discounts. */
  v8SurvivingBytesPerRequest?: number;
  survivors?: SurvivorTotals;
  /** Share of the program's surviving bytes that the reported suspects retain, 0..1. */
  explainedShare?: number;
  /** With several services and no service named: each one's growth over the first load. */
  services?: { service: string; bytesPerRequest: number }[];
  allocationTracking: boolean;
}

/** A leak suspect as the hunt reports it. */
export type HuntSuspect = LeakSuspect;

/** The result of one run: what `leakhunt hunt --json` and `leakhunt check --json` print. */
export interface HuntReport {
  verdict: Verdict;
  /** One sentence: why this verdict, with the figures behind it. */
  reason: string;
  /** What to run for a firmer answer, when the verdict is inconclusive. */
  advice?: { requestsPerRung: number; text: string };
  service: string;
  /** Least-squares slope of used heap over every rung. */
  bytesPerRequest: number;
  thresholdBytesPerRequest: number;
  /** Every rung above the previous one. */
  monotonic: boolean;
  ladder: Rung[];
  evidence: HuntEvidence;
  /** Baseline, target and final snapshot of `service`. */
  snapshots: string[];
  suspects: HuntSuspect[];
  timings: HuntTimings;
}

/**
 * The three-snapshot diff the pipeline calls: the heap engine in-process for the CLI, the heap
 * worker in the editor (its extension host never parses snapshots). `scripts` maps the snapshots'
 * script ids to files, from the session that took them.
 */
export type SnapshotDiff = (
  files: { baseline: string; target: string; final: string },
  options: {
    signal: AbortSignal;
    onProgress?: (done: number, total: number) => void;
    scripts: Record<number, string>;
    top: number;
  },
) => Promise<DiffResult>;
