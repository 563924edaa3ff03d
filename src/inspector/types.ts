/**
 * Shapes of the live engine: running services, their inspector sessions, heap samples and the
 * results of `leakhunt check` / `leakhunt hunt`. Plain data where it crosses to the CLI or the
 * webview, so both can print or render it as is.
 */
import type { ScriptResolver } from '../heap/results';
import type { ServiceSpec } from '../exercises/manifest';

export type { ScriptResolver };

/** One reading of a process's memory. */
export interface HeapSample {
  /** Milliseconds since the epoch. */
  time: number;
  /** V8 heap in use (`Runtime.getHeapUsage().usedSize`), bytes. */
  usedHeap: number;
  /** V8 heap reserved (`Runtime.getHeapUsage().totalSize`), bytes. */
  totalHeap: number;
  /** Resident set size of the whole process, bytes. */
  rss: number;
}

/** Progress of one heap snapshot capture. */
export interface SnapshotProgress {
  /** V8's own progress while it builds the snapshot (objects done / total). */
  done: number;
  total: number;
  /** Bytes of the snapshot written to the file so far. */
  bytesWritten: number;
}

/** Progress and cancellation of one capture. */
export interface SnapshotOptions {
  onProgress?: (progress: SnapshotProgress) => void;
  signal?: AbortSignal;
  /**
   * End allocation tracking with this snapshot: V8 writes the allocation traces into the
   * snapshot it takes when tracking stops (a second snapshot afterwards would have none).
   */
  stopTracking?: boolean;
}

/** How a service process ended. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The service ran out of V8 heap ("JavaScript heap out of memory" on stderr). */
  outOfMemory: boolean;
  /** Last lines of stderr, for the user (the inspector's own banner lines removed). */
  stderrTail: string;
}

/** A live CDP connection to one Node process. */
export interface InspectorSession {
  /** The process's pid when known (launched by us, or read from the target on attach). */
  readonly pid: number | undefined;
  heapUsage(): Promise<{ usedHeap: number; totalHeap: number }>;
  /** One sample: heap usage plus RSS (from /proc on Linux, else from the target itself). */
  sample(): Promise<HeapSample>;
  /** Forces full garbage collection `times` times (default 3: finalizers and weak refs settle). */
  collectGarbage(times?: number): Promise<void>;
  /**
   * Captures a heap snapshot into `file`, streaming chunks to disk as they arrive. On failure or
   * abort the partial file is removed and the error raised.
   */
  takeHeapSnapshot(file: string, options?: SnapshotOptions): Promise<{ bytes: number }>;
  /**
   * Records the allocation stack of every object allocated from now on, for the snapshot taken
   * with `stopTracking` (which also ends the tracking). Slows allocation while it runs.
   */
  startTrackingAllocations(): Promise<void>;
  /** Starts sampling every `intervalMs`; samples go to `onSample` listeners. */
  startSampling(intervalMs: number): void;
  stopSampling(): void;
  /** Subscribes to samples; returns the unsubscribe function. */
  onSample(listener: (sample: HeapSample) => void): () => void;
  /** Subscribes to sampling failures (e.g. the target went away); returns the unsubscribe function. */
  onSampleError(listener: (error: Error) => void): () => void;
  /** Reads the live scripts (`Debugger.scriptParsed`) into the map behind `scriptResolver`. */
  refreshScripts(): Promise<void>;
  /**
   * Maps script ids to file paths or URLs. Filled at each snapshot (and by `refreshScripts`),
   * so it covers every script a snapshot taken through this session can mention.
   */
  scriptResolver(): ScriptResolver;
  /** The same map as plain data, for the heap worker (functions cannot cross a thread). */
  scriptMap(): Record<number, string>;
  /** Resolves when the connection closes, for whatever reason. */
  readonly disconnected: Promise<void>;
  close(): Promise<void>;
}

/** One service started by `launchServices`. */
export interface RunningService {
  name: string;
  pid: number;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  port: number;
  session: InspectorSession;
  /** Last lines of the service's stderr so far. */
  stderrTail(): string;
  /** Settles when the process ends (never rejects). */
  exited: Promise<ExitInfo>;
  /** The exit info once the process has ended. */
  exitInfo(): ExitInfo | undefined;
}

/** The services of one session; stopping or disposing it kills every process group it owns. */
export interface ServiceGroup extends AsyncDisposable {
  services: RunningService[];
  /** The running service called `name`; throws for an unknown name. */
  service(name: string): RunningService;
  url(name: string): string;
  stop(): Promise<void>;
}

/** What `launchServices` starts and how it reports. */
export interface LaunchOptions {
  /** Folder the service entries are relative to; also the services' working directory. */
  appDir: string;
  services: ServiceSpec[];
  /** Node binary; default the one running Leak Hunt. */
  nodePath?: string;
  signal?: AbortSignal;
  /** How long a service may take to print its inspector URL and become ready; default 15 s. */
  startTimeoutMs?: number;
  /** Extra environment for every service (on top of this process's environment). */
  env?: Record<string, string>;
  log?: (line: string) => void;
}
