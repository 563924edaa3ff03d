/**
 * Shapes of the live engine: running services, their inspector sessions, heap samples and the
 * results of `leakhunt check` / `leakhunt hunt`. Plain data where it crosses to the CLI or the
 * webview, so both can print or render it as is.
 */
import type { ScriptResolver } from '../heap/results';
import type { ServiceSpec } from '../exercises/manifest';
import type { HeapSample } from './heapSample';

export type { HeapSample, ScriptResolver };

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

/** One frame of a call stack, 1-based line and column. */
export interface StackFrame {
  /** Empty for an anonymous function. */
  functionName: string;
  /** The script's file path (or URL, e.g. `node:events`); empty when unknown. */
  file: string;
  line: number;
  column: number;
}

/**
 * What a process that stopped answering is doing: `busy` running JavaScript (`frames`, top
 * first); `idle`, the inspector answers but no JavaScript runs (a request waits for something
 * that never comes); `blocked`, not even the inspector answers (a synchronous call such as
 * `spawnSync`, a native addon); `unknown` when the connection is gone.
 */
export type BusyReport =
  { state: 'busy'; frames: StackFrame[] } | { state: 'idle' | 'blocked' | 'unknown' };

/** A TCP address a process listens on; `0.0.0.0` or `::` means every interface. */
export interface ListeningAddress {
  address: string;
  port: number;
}

/** A launched service listens on every interface, so other machines can reach it. */
export interface ServiceWarning {
  service: string;
  kind: 'listens-on-every-interface';
  /** The addresses on every interface it listens on. */
  addresses: ListeningAddress[];
  message: string;
}

/** A live CDP connection to one Node process. */
export interface InspectorSession {
  /** The process's pid when known (launched by us, or read from the target on attach). */
  readonly pid: number | undefined;
  heapUsage(): Promise<{ usedHeap: number; totalHeap: number }>;
  /**
   * Bytes held by ArrayBuffer backing stores (Buffers, typed arrays): memory outside the V8 heap
   * that `heapUsage` does not count. Undefined when the target cannot say.
   */
  arrayBuffers(): Promise<number | undefined>;
  /** One sample: heap usage plus RSS (from /proc on Linux, else from the target itself). */
  sample(): Promise<HeapSample>;
  /**
   * What the process is doing, for a service that stopped answering: pauses it through the
   * debugger (waiting at most `timeoutMs`), reads the call stack and resumes it.
   */
  whereBusy(timeoutMs: number): Promise<BusyReport>;
  /** The TCP addresses the process listens on; undefined when they cannot be read. */
  listeningAddresses(): Promise<ListeningAddress[] | undefined>;
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
  /** Something the user should know about a service that started (e.g. it is on the network). */
  onWarning?: (warning: ServiceWarning) => void;
}
