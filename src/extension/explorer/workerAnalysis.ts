import { performance } from 'node:perf_hooks';
import type { HeapRequests, OpenSnapshotInfo } from '../../heap/protocol';
import type { ClassSummary, DiffResult } from '../../heap/results';
import { HeapWorkerExitedError, SnapshotNotOpenError } from '../../heap/errors';
import { HeapWorkerClient } from '../../heap/workerClient';
import type { Logger } from '../logger';
import type { ClassDelta, ComparisonPage, Page, SortOrder } from '../protocol';
import type {
  AnalysisOptions,
  HeapAnalysis,
  SnapshotOptions,
  SnapshotQuery,
  SnapshotQueryParams,
} from './heapAnalysis';

/**
 * The heap engine behind the editor, in its worker thread. The worker starts on first use (not
 * at activation) and again after a crash; open snapshots stay cached in it, so paging through
 * a table re-reads nothing.
 */
export class WorkerHeapAnalysis implements HeapAnalysis {
  private client: HeapWorkerClient | undefined;

  constructor(
    private readonly workerScript: string,
    private readonly log: Logger,
  ) {}

  private worker(): HeapWorkerClient {
    if (!this.client) {
      this.log.info('worker', `starting the heap worker (${this.workerScript})`);
      this.client = new HeapWorkerClient(this.workerScript);
    }
    return this.client;
  }

  /**
   * Runs `call` against the worker, retrying once: on the same worker when it evicted the
   * snapshot between two calls, on a fresh one when the worker died (e.g. out of memory on a
   * huge file). Only the worker that failed is replaced, so concurrent calls cannot leak or
   * kill each other's workers.
   */
  private async withWorker<T>(
    what: string,
    call: (client: HeapWorkerClient) => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    const client = this.worker();
    try {
      return await call(client);
    } catch (error) {
      if (error instanceof SnapshotNotOpenError) return await call(client);
      if (!(error instanceof HeapWorkerExitedError)) throw error;
      this.log.warn('worker', `${what}: ${error.message}; retrying with a fresh worker`);
      if (this.client === client) {
        this.client = undefined;
        void client.dispose();
      }
      return await call(this.worker());
    } finally {
      this.log.trace('worker', `${what} in ${(performance.now() - started).toFixed(0)} ms`);
    }
  }

  private progressFor(file: string, options?: AnalysisOptions) {
    return {
      signal: options?.signal,
      onProgress: (done: number, total: number) =>
        options?.onProgress?.(file, total > 0 ? done / total : 0),
    };
  }

  summaryPage(
    file: string,
    query: { sort: SortOrder<keyof ClassSummary>; filter: string; start: number; count: number },
    options?: AnalysisOptions,
  ): Promise<Page<ClassSummary>> {
    return this.query(file, 'classesPage', { query }, options);
  }

  comparisonPage(
    files: { baseline: string; target: string },
    query: { sort: SortOrder<keyof ClassDelta>; filter: string; start: number; count: number },
    options?: AnalysisOptions,
  ): Promise<ComparisonPage> {
    return this.withWorker('comparison page', (client) =>
      client.call('comparisonPage', { ...files, query }, this.progressFor(files.target, options)),
    );
  }

  findLeaks(
    files: { baseline: string; target: string; final: string },
    options?: AnalysisOptions & { scripts?: Record<number, string>; top?: number },
  ): Promise<DiffResult> {
    return this.withWorker('three-snapshot diff', (client) =>
      client.call(
        'diff',
        {
          ...files,
          top: options?.top ?? 20,
          ...(options?.scripts ? { scripts: options.scripts } : {}),
        },
        this.progressFor(files.final, options),
      ),
    );
  }

  open(file: string, options?: SnapshotOptions): Promise<OpenSnapshotInfo> {
    return this.withWorker('open', (client) => this.openIn(client, file, options));
  }

  private openIn(
    client: HeapWorkerClient,
    file: string,
    options?: SnapshotOptions,
  ): Promise<OpenSnapshotInfo> {
    const scripts = options?.scripts;
    return client.call(
      'open',
      { file, ...(scripts ? { scripts } : {}) },
      this.progressFor(file, options),
    );
  }

  query<M extends SnapshotQuery>(
    file: string,
    method: M,
    params: SnapshotQueryParams<M>,
    options?: SnapshotOptions,
  ): Promise<HeapRequests[M]['result']> {
    return this.withWorker(method, async (client) => {
      const { handle } = await this.openIn(client, file, options);
      const withHandle = { ...params, handle } as HeapRequests[M]['params'];
      return client.call(method, withHandle, { signal: options?.signal });
    });
  }

  comparisonObjects(
    params: HeapRequests['comparisonObjectsPage']['params'],
    options?: AnalysisOptions,
  ): Promise<HeapRequests['comparisonObjectsPage']['result']> {
    return this.withWorker('comparison objects', (client) =>
      client.call('comparisonObjectsPage', params, this.progressFor(params.target, options)),
    );
  }

  maxObjectId(file: string, options?: AnalysisOptions): Promise<number> {
    return this.withWorker('max object id', (client) =>
      client.call('maxObjectId', { file }, this.progressFor(file, options)),
    );
  }

  dispose(): void {
    void this.client?.dispose();
    this.client = undefined;
  }
}
