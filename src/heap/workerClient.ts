import { Worker } from 'node:worker_threads';
import { AbortError } from '../common/abort';
import { HeapWorkerDisposedError, HeapWorkerExitedError, fromWireError } from './errors';
import type { FromHeapWorker, HeapMethod, HeapRequests, ToHeapWorker } from './protocol';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (done: number, total: number) => void;
  cleanup(): void;
}

/** Per-call options: cancellation and read progress. */
export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Typed client of the heap worker: request/response by id, progress events, cancellation
 * through AbortSignal, and a dispose that terminates the worker and rejects what is pending.
 */
export class HeapWorkerClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private disposed = false;

  /** @param workerScript dist/heapWorker.js in the extension, out-* /src/heap/worker.js in tests. */
  constructor(workerScript: string) {
    this.worker = new Worker(workerScript);
    this.worker.on('message', (message: FromHeapWorker) => this.receive(message));
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => {
      if (!this.disposed) this.failAll(new HeapWorkerExitedError(code));
    });
  }

  /**
   * Sends one request; rejects with HeapSnapshotError for bad input, SnapshotNotOpenError for an
   * evicted handle, AbortError on cancel, HeapWorkerExitedError when the worker dies.
   */
  call<M extends HeapMethod>(
    method: M,
    params: HeapRequests[M]['params'],
    options: CallOptions = {},
  ): Promise<HeapRequests[M]['result']> {
    if (this.disposed) return Promise.reject(new HeapWorkerDisposedError());
    const { signal, onProgress } = options;
    if (signal?.aborted) return Promise.reject(new AbortError());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.post({ cancel: id });
        this.pending.delete(id);
        reject(new AbortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: resolve as (value: unknown) => void,
        reject,
        onProgress,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      });
      this.post({ id, method, params });
    });
  }

  /** Terminates the worker; pending calls reject. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.failAll(new HeapWorkerDisposedError());
    await this.worker.terminate();
  }

  private post(message: ToHeapWorker): void {
    this.worker.postMessage(message);
  }

  private receive(message: FromHeapWorker): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if ('progress' in message) {
      pending.onProgress?.(message.progress.done, message.progress.total);
      return;
    }
    this.pending.delete(message.id);
    pending.cleanup();
    if ('ok' in message) pending.resolve(message.ok);
    else pending.reject(fromWireError(message.err));
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) {
      pending.cleanup();
      pending.reject(error);
    }
    this.pending.clear();
  }
}
