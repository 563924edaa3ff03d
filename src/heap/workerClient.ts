import { Worker } from 'node:worker_threads';
import { HeapSnapshotError } from './errors';
import type { FromHeapWorker, HeapMethod, HeapRequests, ToHeapWorker, WireError } from './protocol';

/** Rebuilds the typed error on the client side, so callers can `instanceof` it. */
function fromWireError(wire: WireError): Error {
  if (wire.name === 'HeapSnapshotError')
    return new HeapSnapshotError(wire.message, wire.byteOffset ?? 0, wire.section ?? 'file');
  const error = new Error(wire.message);
  error.name = wire.name;
  return error;
}

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
      if (!this.disposed) this.failAll(new Error(`heap worker exited with code ${code}`));
    });
  }

  /** Sends one request; rejects with HeapSnapshotError for bad input, AbortError on cancel. */
  call<M extends HeapMethod>(
    method: M,
    params: HeapRequests[M]['params'],
    options: CallOptions = {},
  ): Promise<HeapRequests[M]['result']> {
    if (this.disposed) return Promise.reject(new Error('the heap worker is disposed'));
    const { signal, onProgress } = options;
    if (signal?.aborted) return Promise.reject(abort());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.post({ cancel: id });
        this.pending.delete(id);
        reject(abort());
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
    this.failAll(new Error('the heap worker is disposed'));
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

function abort(): Error {
  const error = new Error('The operation was aborted');
  error.name = 'AbortError';
  return error;
}
