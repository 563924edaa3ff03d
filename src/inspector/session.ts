import CDP from 'chrome-remote-interface';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isLoopbackHost } from '../common/loopback';
import { InspectorError, SnapshotError } from './errors';
import { watchdog } from '../common/watchdog';
import type {
  BusyReport,
  HeapSample,
  InspectorSession,
  ListeningAddress,
  ScriptResolver,
  SnapshotOptions,
  SnapshotProgress,
  StackFrame,
} from './types';

/**
 * Evaluated in the target: the address of every TCP server it listens with. Servers are the
 * active handles that answer `address()` and have `listening` (sockets have no `listening`).
 */
const LISTENING_ADDRESSES = `JSON.stringify(
  process._getActiveHandles()
    .filter((h) => h && typeof h.address === 'function' && h.listening === true)
    .map((h) => h.address())
    .filter((a) => a && typeof a === 'object')
    .map((a) => ({ address: a.address, port: a.port })),
)`;

/** Frames of a paused call stack, with script ids resolved to files where known. */
function stackFrames(
  callFrames: {
    functionName: string;
    url?: string;
    location: { scriptId: string; lineNumber: number; columnNumber?: number };
  }[],
  scripts: Map<number, string>,
): StackFrame[] {
  return callFrames.map((frame) => ({
    functionName: frame.functionName,
    file: scripts.get(Number(frame.location.scriptId)) ?? scriptPath(frame.url ?? ''),
    line: frame.location.lineNumber + 1,
    column: (frame.location.columnNumber ?? 0) + 1,
  }));
}

/** Reads a process's resident set size from /proc (Linux); undefined where that is not possible. */
export async function readProcRss(pid: number): Promise<number | undefined> {
  if (process.platform !== 'linux') return undefined;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Script URLs as the user knows them: `file:///x/y.js` becomes `/x/y.js`; others stay as they are. */
function scriptPath(url: string): string {
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url);
    } catch {
      return url;
    }
  }
  return url;
}

/** Settles like `work`, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  work.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort))
      .catch(() => undefined);
  });
}

class CdpSession implements InspectorSession {
  readonly disconnected: Promise<void>;
  private markDisconnected: () => void = () => undefined;
  private readonly scripts = new Map<number, string>();
  private readonly sampleListeners = new Set<(sample: HeapSample) => void>();
  private readonly errorListeners = new Set<(error: Error) => void>();
  private samplingTimer: NodeJS.Timeout | undefined;
  private sampling = false;
  private closed = false;
  /** Settles when the snapshot V8 is producing has been fully sent; chunks of two must not mix. */
  private snapshotInFlight: Promise<unknown> = Promise.resolve();
  /** Waiting for the pause that `whereBusy` asked for. */
  private pauseWanted: ((frames: StackFrame[]) => void) | undefined;

  constructor(
    private readonly client: CDP.Client,
    public pid: number | undefined,
  ) {
    this.disconnected = new Promise((resolve) => (this.markDisconnected = resolve));
    client.on('disconnect', () => {
      this.closed = true;
      this.stopSampling();
      this.markDisconnected();
    });
    client.on('Debugger.scriptParsed', (params) => {
      if (params.url) this.scripts.set(Number(params.scriptId), scriptPath(params.url));
    });
    // With the debugger enabled V8 pauses a process about to run out of heap ("OOM" pause),
    // which skipAllPauses does not cover; a hunt never wants a paused service, and resuming
    // lets the out-of-memory crash happen and be reported. A pause `whereBusy` asked for is
    // resumed as well, once its stack has been read.
    client.on('Debugger.paused', (params) => {
      this.pauseWanted?.(stackFrames(params.callFrames, this.scripts));
      this.pauseWanted = undefined;
      this.client.send('Debugger.resume').catch(() => undefined);
    });
  }

  async init(): Promise<void> {
    if (this.pid === undefined) {
      const { result } = await this.client.send('Runtime.evaluate', {
        expression: 'process.pid',
        returnByValue: true,
      });
      if (typeof result.value === 'number') this.pid = result.value;
    }
  }

  /**
   * Fills the script-id map: Debugger.enable replays scriptParsed for every live script. The
   * debugger is switched off again at once, because while it is on V8 runs promise-heavy code
   * measurably slower (async hooks for stack traces) and would skew what the learner sees.
   */
  async refreshScripts(): Promise<void> {
    await this.client.send('Debugger.enable', {});
    try {
      // A stray `debugger;` statement must not freeze the service meanwhile.
      await this.client.send('Debugger.setSkipAllPauses', { skip: true });
    } finally {
      await this.client.send('Debugger.disable');
    }
  }

  async whereBusy(timeoutMs: number): Promise<BusyReport> {
    if (this.closed) return { state: 'unknown' };
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<undefined>(
      (done) => (timer = setTimeout(() => done(undefined), timeoutMs)),
    );
    const paused = new Promise<StackFrame[]>((done) => (this.pauseWanted = done));
    // The inspector answers on the event loop when it is free and interrupts running JavaScript;
    // only a thread blocked outside JavaScript leaves it without an answer.
    let answered = false;
    const pausing = (async () => {
      // Enabling replays scriptParsed, so the frames' script ids resolve to files.
      await this.client.send('Debugger.enable', {});
      answered = true;
      // V8 pauses at the next JavaScript it runs: never, in a process that waits idle.
      await this.client.send('Debugger.pause');
      return paused;
    })();
    pausing.catch(() => undefined);
    try {
      const frames = await Promise.race([pausing, expired]);
      if (frames) return { state: 'busy', frames };
      return { state: answered ? 'idle' : 'blocked' };
    } catch {
      return { state: 'unknown' };
    } finally {
      clearTimeout(timer);
      this.pauseWanted = undefined;
      // Also cancels a pause that was asked for and has not happened yet.
      if (!this.closed) this.client.send('Debugger.disable').catch(() => undefined);
    }
  }

  async listeningAddresses(): Promise<ListeningAddress[] | undefined> {
    try {
      const { result } = await this.client.send('Runtime.evaluate', {
        expression: LISTENING_ADDRESSES,
        returnByValue: true,
      });
      return typeof result.value === 'string'
        ? (JSON.parse(result.value) as ListeningAddress[])
        : undefined;
    } catch {
      // A Node without _getActiveHandles, or a target that went away: nothing to warn about.
      return undefined;
    }
  }

  async heapUsage(): Promise<{ usedHeap: number; totalHeap: number }> {
    const usage = await this.client.send('Runtime.getHeapUsage');
    return { usedHeap: usage.usedSize, totalHeap: usage.totalSize };
  }

  async arrayBuffers(): Promise<number | undefined> {
    // An evaluated script is held only weakly by V8, so the readings themselves do not grow the
    // heap they measure (compiling it once needs the Runtime domain enabled, which would make
    // the inspector keep every console message's arguments alive).
    const { result } = await this.client.send('Runtime.evaluate', {
      expression: 'process.memoryUsage().arrayBuffers',
      returnByValue: true,
      silent: true,
    });
    return typeof result.value === 'number' ? result.value : undefined;
  }

  async sample(): Promise<HeapSample> {
    const [usage, procRss, arrayBuffers] = await Promise.all([
      this.heapUsage(),
      this.pid === undefined ? undefined : readProcRss(this.pid),
      this.arrayBuffers().catch(() => undefined),
    ]);
    const rss = procRss ?? (await this.rssFromTarget());
    return {
      time: Date.now(),
      ...usage,
      rss,
      ...(arrayBuffers === undefined ? {} : { arrayBuffers }),
    };
  }

  private async rssFromTarget(): Promise<number> {
    const { result } = await this.client.send('Runtime.evaluate', {
      expression: 'process.memoryUsage.rss()',
      returnByValue: true,
    });
    return typeof result.value === 'number' ? result.value : 0;
  }

  async collectGarbage(times = 3): Promise<void> {
    for (let i = 0; i < times; i++) await this.client.send('HeapProfiler.collectGarbage');
  }

  async takeHeapSnapshot(file: string, options: SnapshotOptions = {}): Promise<{ bytes: number }> {
    const { signal } = options;
    signal?.throwIfAborted();
    // Both waits are on the target, which may never answer (blocked): the signal ends them.
    await untilAborted(
      this.snapshotInFlight.catch(() => undefined),
      signal,
    );
    if (this.closed) throw new SnapshotError(file, 'the inspector connection is closed');
    try {
      await untilAborted(this.refreshScripts(), signal);
    } catch (error) {
      if (signal?.aborted && error === signal.reason) throw error;
      throw new SnapshotError(file, 'the inspector did not answer before the snapshot', {
        cause: error,
      });
    }
    // Written under a temporary name and renamed when complete, so a file with the final name
    // is always a whole snapshot. If Leak Hunt dies meanwhile (SIGKILL), the watchdog removes it.
    const partial = `${file}.part`;
    const unguard = watchdog.removeOnDeath(partial);
    try {
      return await this.writeSnapshot(file, partial, options);
    } finally {
      unguard();
    }
  }

  private async writeSnapshot(
    file: string,
    partial: string,
    options: SnapshotOptions,
  ): Promise<{ bytes: number }> {
    const { signal, onProgress } = options;
    // Heap snapshots hold whatever the program held (tokens, passwords): owner-only, as Node's
    // own writeHeapSnapshot. A fresh file ('wx'), so no older file's wider mode is kept.
    let out: ReturnType<typeof createWriteStream>;
    // A folder that cannot be written is found out before V8 spends seconds on a snapshot.
    try {
      await rm(partial, { force: true });
      out = createWriteStream(partial, { flags: 'wx', mode: 0o600 });
      await once(out, 'open');
    } catch (error) {
      throw new SnapshotError(file, `cannot write ${partial}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const progress: SnapshotProgress = { done: 0, total: 0, bytesWritten: 0 };
    let writeError: Error | undefined;
    out.on('error', (error) => (writeError ??= error));
    const offChunk = this.client.HeapProfiler.addHeapSnapshotChunk(({ chunk }) => {
      out.write(chunk);
      progress.bytesWritten += Buffer.byteLength(chunk);
      onProgress?.({ ...progress });
    });
    const offProgress = this.client.HeapProfiler.reportHeapSnapshotProgress(({ done, total }) => {
      progress.done = done;
      progress.total = total;
      onProgress?.({ ...progress });
    });
    const taking = options.stopTracking
      ? this.client.send('HeapProfiler.stopTrackingHeapObjects', { reportProgress: true })
      : this.client.send('HeapProfiler.takeHeapSnapshot', { reportProgress: true });
    this.snapshotInFlight = taking;
    let abortListener: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      abortListener = () => reject(signal?.reason);
      if (signal?.aborted) abortListener();
      signal?.addEventListener('abort', abortListener, { once: true });
    });
    const dropped = this.disconnected.then(() => {
      throw new InspectorError('the inspector connection closed during the snapshot');
    });
    try {
      await Promise.race([taking, aborted, dropped]);
      if (writeError) throw writeError;
      await new Promise<void>((resolve, reject) => {
        out.end(() => (writeError ? reject(writeError) : resolve()));
      });
      await rename(partial, file);
      return { bytes: progress.bytesWritten };
    } catch (error) {
      out.destroy();
      const left = await rm(partial, { force: true }).then(
        () => undefined,
        (rmError: Error) => rmError,
      );
      if (signal?.aborted && error === signal.reason && !left) throw error;
      const partialFate = left
        ? `the partial file ${partial} could not be removed (${left.message}): remove it yourself`
        : 'the partial file was removed';
      throw new SnapshotError(
        file,
        `heap snapshot failed: ${(error as Error).message}; ${partialFate}`,
        {
          cause: error,
        },
      );
    } finally {
      offChunk();
      offProgress();
      if (abortListener) signal?.removeEventListener('abort', abortListener);
      aborted.catch(() => undefined);
      dropped.catch(() => undefined);
      taking.catch(() => undefined);
    }
  }

  async startTrackingAllocations(): Promise<void> {
    await this.client.send('HeapProfiler.startTrackingHeapObjects', { trackAllocations: true });
  }

  startSampling(intervalMs: number): void {
    this.stopSampling();
    this.samplingTimer = setInterval(() => {
      if (this.sampling || this.closed) return;
      this.sampling = true;
      this.sample().then(
        (sample) => {
          this.sampling = false;
          for (const listener of this.sampleListeners) listener(sample);
        },
        (error: unknown) => {
          this.sampling = false;
          const wrapped = new InspectorError('heap sampling failed', { cause: error });
          for (const listener of this.errorListeners) listener(wrapped);
        },
      );
    }, intervalMs);
    this.samplingTimer.unref();
  }

  stopSampling(): void {
    if (this.samplingTimer) clearInterval(this.samplingTimer);
    this.samplingTimer = undefined;
  }

  onSample(listener: (sample: HeapSample) => void): () => void {
    this.sampleListeners.add(listener);
    return () => this.sampleListeners.delete(listener);
  }

  onSampleError(listener: (error: Error) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  scriptResolver(): ScriptResolver {
    const scripts = this.scripts;
    return (scriptId) => scripts.get(scriptId);
  }

  scriptMap(): Record<number, string> {
    return Object.fromEntries(this.scripts);
  }

  async close(): Promise<void> {
    this.stopSampling();
    if (this.closed) return;
    this.closed = true;
    // The close handshake needs the target's inspector thread; a stopped (SIGSTOP) or dying
    // process may never answer, and stopping a service must not hang on it.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.client.close().catch(() => undefined),
      new Promise((done) => (timer = setTimeout(done, 1000))),
    ]);
    clearTimeout(timer);
    // chrome-remote-interface emits no 'disconnect' for a close we asked for.
    this.markDisconnected();
  }
}

/** Connects to a `ws://` inspector URL (loopback only) and prepares the session. */
export async function connectSession(wsUrl: string, pid?: number): Promise<InspectorSession> {
  let host: string;
  try {
    host = new URL(wsUrl).hostname;
  } catch (error) {
    throw new InspectorError(`not an inspector URL: ${wsUrl}`, { cause: error });
  }
  // The inspector is remote code execution: never talk to one on another machine.
  if (!isLoopbackHost(host))
    throw new InspectorError(`refusing to attach to ${wsUrl}: the inspector must be on loopback`);
  let client: CDP.Client;
  try {
    client = await CDP({ target: wsUrl, local: true });
  } catch (error) {
    throw new InspectorError(`cannot connect to the inspector at ${wsUrl}`, { cause: error });
  }
  const session = new CdpSession(client, pid);
  try {
    await session.init();
  } catch (error) {
    await session.close();
    throw new InspectorError(`the inspector at ${wsUrl} did not answer`, { cause: error });
  }
  return session;
}

/**
 * Attaches to an already-running Node process started with `--inspect`, by its `ws://` URL or
 * by its inspector port on 127.0.0.1 (the first target listed there).
 */
export async function attach(options: { url?: string; port?: number }): Promise<InspectorSession> {
  if (options.url) {
    if (/^wss?:/i.test(options.url)) return connectSession(options.url);
    const parsed = new URL(options.url);
    return attachByPort(parsed.hostname, Number(parsed.port));
  }
  if (options.port) return attachByPort('127.0.0.1', options.port);
  throw new InspectorError('attach needs an inspector URL or port');
}

async function attachByPort(host: string, port: number): Promise<InspectorSession> {
  if (!isLoopbackHost(host))
    throw new InspectorError(`refusing to attach to ${host}: the inspector must be on loopback`);
  let targets: CDP.Target[];
  try {
    targets = await CDP.List({ host, port });
  } catch (error) {
    throw new InspectorError(`no inspector answers on ${host}:${port}`, { cause: error });
  }
  const target = targets.find((t) => t.webSocketDebuggerUrl);
  if (!target) throw new InspectorError(`the inspector on ${host}:${port} lists no target`);
  return connectSession(target.webSocketDebuggerUrl);
}
