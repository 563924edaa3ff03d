import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ExerciseManifest, LoadRequest } from '../../exercises/manifest';
import { describeExit, launchServices, signalUntilExit } from '../../inspector';
import { guardWith, type HuntRig } from '../../hunt';
import { bytesPerRequest } from '../../hunt/verdict';
import type { ExitInfo, HeapSample, InspectorSession, ServiceGroup } from '../../inspector';
import { runLoad, type LoadStats } from '../../load';
import type { ServiceSeries, ServiceState, SnapshotMarker } from '../protocol';
import { DisposableStore } from '../disposables';
import type { Logger } from '../logger';

/** What a session runs: an exercise's services, or one process the user started with --inspect. */
export type SessionTarget =
  | {
      kind: 'services';
      label: string;
      appDir: string;
      manifest: ExerciseManifest;
      nodePath: string;
    }
  | { kind: 'attached'; label: string; service: string; session: InspectorSession };

export interface LoadSettings {
  requests: LoadRequest[];
  rate?: number;
  concurrency: number;
  count: number;
}

/** The most samples kept per service (at 500 ms, half an hour). */
const MAX_SAMPLES = 3600;

interface ServiceHandle {
  name: string;
  session: InspectorSession;
  url?: string;
  series: ServiceSeries;
  /** Requests the load had sent when each sample was taken, for bytes per request. */
  requestsAtSample: number[];
}

/**
 * One live session: the services it started (or the process it attached to), their heap
 * samples, the load running against them and the snapshots taken. Everything it owns is in one
 * scope; `stop` disposes the scope and kills every process it started.
 */
export class LiveSession implements vscode.Disposable {
  /** Sampling subscriptions: stopped first when the session ends. */
  private readonly sampling = new DisposableStore();
  /** Event emitters: disposed last, after the end has been announced. */
  private readonly emitters = new DisposableStore();
  private readonly handles = new Map<string, ServiceHandle>();
  private readonly sampled = new vscode.EventEmitter<{ service: string; samples: HeapSample[] }>();
  private readonly stateChanged = new vscode.EventEmitter<{
    service: string;
    state: ServiceState;
    bytesPerRequest?: number;
  }>();
  private readonly marked = new vscode.EventEmitter<{ service: string; marker: SnapshotMarker }>();
  private readonly loadChanged = new vscode.EventEmitter<LoadStats | undefined>();
  private readonly ended = new vscode.EventEmitter<void>();
  readonly onDidSample = this.sampled.event;
  readonly onDidChangeServiceState = this.stateChanged.event;
  readonly onDidMark = this.marked.event;
  readonly onDidChangeLoad = this.loadChanged.event;
  readonly onDidEnd = this.ended.event;

  private load:
    { controller: AbortController; done: Promise<LoadStats>; stats?: LoadStats } | undefined;
  private lastLoadStats: LoadStats | undefined;
  /** Requests sent by every finished load run; the running one adds its own progress. */
  private requestsBefore = 0;
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly target: SessionTarget,
    private readonly group: ServiceGroup | undefined,
    private readonly log: Logger,
  ) {
    for (const emitter of [
      this.sampled,
      this.stateChanged,
      this.marked,
      this.loadChanged,
      this.ended,
    ])
      this.emitters.add(emitter);
  }

  /** Starts the target's services (or adopts the attached process) and begins sampling. */
  static async start(
    target: SessionTarget,
    samplingIntervalMs: number,
    log: Logger,
    signal?: AbortSignal,
  ): Promise<LiveSession> {
    if (target.kind === 'attached') {
      const live = new LiveSession(target, undefined, log);
      live.adopt(target.service, target.session, undefined, samplingIntervalMs);
      void target.session.disconnected.then(() => {
        if (live.stopping) return;
        void vscode.window.showInformationMessage(
          `The attached process (${target.label}) went away; its session has ended.`,
        );
        live.markEnded(target.service, 'stopped');
      });
      return live;
    }
    const group = await launchServices({
      appDir: target.appDir,
      services: target.manifest.services,
      nodePath: target.nodePath,
      signal,
      log: (line) => log.info('inspector', line),
      onWarning: (warning) => {
        log.warn('inspector', warning.message);
        void vscode.window.showWarningMessage(`Leak Hunt: ${warning.message}`);
      },
    });
    const live = new LiveSession(target, group, log);
    for (const service of group.services) {
      live.adopt(service.name, service.session, service.url, samplingIntervalMs);
      void service.exited.then((exit) => live.onServiceExit(service.name, exit));
    }
    return live;
  }

  private adopt(
    name: string,
    session: InspectorSession,
    url: string | undefined,
    intervalMs: number,
  ): void {
    const handle: ServiceHandle = {
      name,
      session,
      url,
      series: { service: name, state: 'running', samples: [], markers: [] },
      requestsAtSample: [],
    };
    this.handles.set(name, handle);
    const unsubscribe = session.onSample((sample) => this.record(handle, sample));
    const unsubscribeErrors = session.onSampleError((error) =>
      this.log.trace('inspector', `[${name}] sampling: ${error.message}`),
    );
    session.startSampling(intervalMs);
    this.sampling.add({
      dispose: () => {
        unsubscribe();
        unsubscribeErrors();
        session.stopSampling();
      },
    });
  }

  private record(handle: ServiceHandle, sample: HeapSample): void {
    const { samples } = handle.series;
    samples.push(sample);
    handle.requestsAtSample.push(this.requestsSent());
    if (samples.length > MAX_SAMPLES) {
      samples.shift();
      handle.requestsAtSample.shift();
    }
    this.sampled.fire({ service: handle.name, samples: [sample] });
    const slope = this.slope(handle);
    if (slope !== handle.series.bytesPerRequest) {
      handle.series.bytesPerRequest = slope;
      this.stateChanged.fire({
        service: handle.name,
        state: handle.series.state,
        bytesPerRequest: slope,
      });
    }
  }

  /**
   * Heap growth per load request over the samples taken while requests were being sent: a
   * least-squares fit of used heap against requests. Undefined until load has sent enough.
   */
  private slope(handle: ServiceHandle): number | undefined {
    const points = handle.series.samples
      .map((sample, i) => ({
        requests: handle.requestsAtSample[i] ?? 0,
        usedHeap: sample.usedHeap,
      }))
      .filter((point, i, all) => i === 0 || point.requests !== all[i - 1]!.requests);
    if (points.length < 4 || points[points.length - 1]!.requests - points[0]!.requests < 200)
      return handle.series.bytesPerRequest;
    return Math.round(bytesPerRequest(points.slice(-60)));
  }

  private onServiceExit(name: string, exit: ExitInfo): void {
    if (this.stopping) {
      this.markEnded(name, 'stopped');
      return;
    }
    this.markEnded(name, 'crashed');
    this.log.error('inspector', `[${name}] ${describeExit(exit)}\n${exit.stderrTail}`);
    const detail = exit.outOfMemory
      ? 'It ran out of memory (JavaScript heap out of memory).'
      : describeExit(exit);
    void vscode.window
      .showErrorMessage(`Service "${name}" stopped: ${detail}`, 'Show Log')
      .then((choice) => choice && this.log.show());
  }

  private markEnded(name: string, state: ServiceState): void {
    const handle = this.handles.get(name);
    if (!handle || handle.series.state === 'crashed' || handle.series.state === 'stopped') return;
    handle.series.state = state;
    this.stateChanged.fire({
      service: name,
      state,
      bytesPerRequest: handle.series.bytesPerRequest,
    });
    if ([...this.handles.values()].every((h) => h.series.state !== 'running')) void this.stop();
  }

  get label(): string {
    return this.target.label;
  }

  get serviceNames(): string[] {
    return [...this.handles.keys()];
  }

  /** Snapshot of every service's series, for a freshly opened explorer. */
  series(): ServiceSeries[] {
    return [...this.handles.values()].map((h) => ({
      ...h.series,
      samples: [...h.series.samples],
      markers: [...h.series.markers],
    }));
  }

  serviceState(name: string): ServiceSeries | undefined {
    return this.handles.get(name)?.series;
  }

  /** Script id → file for `service`, so snapshot locations become `file:line`. */
  scriptMap(service: string): Record<number, string> | undefined {
    return this.handles.get(service)?.session.scriptMap();
  }

  get isRunning(): boolean {
    return !this.stopping && [...this.handles.values()].some((h) => h.series.state === 'running');
  }

  /** The running load's statistics, or the last finished run's. */
  get loadStats(): LoadStats | undefined {
    return this.load?.stats ?? this.lastLoadStats;
  }

  get isLoadRunning(): boolean {
    return this.load !== undefined;
  }

  private requestsSent(): number {
    return this.requestsBefore + (this.load?.stats?.sent ?? 0);
  }

  private handle(service: string): ServiceHandle {
    const handle = this.handles.get(service);
    if (!handle) throw new Error(`This session has no service "${service}".`);
    if (handle.series.state !== 'running')
      throw new Error(`Service "${service}" is not running (${handle.series.state}).`);
    return handle;
  }

  /**
   * Sends one bounded run of load (loopback only) and resolves with its statistics. Only one run
   * at a time; `stopLoad` ends it early.
   */
  startLoad(settings: LoadSettings, signal?: AbortSignal): Promise<LoadStats> {
    if (this.load) throw new Error('Load is already running. Stop it first.');
    if (!this.group)
      throw new Error(
        'Load needs services started by Leak Hunt; an attached process has no load profile.',
      );
    const controller = new AbortController();
    signal?.addEventListener('abort', () => controller.abort(), { once: true });
    const targets = Object.fromEntries(this.group.services.map((s) => [s.name, s.url]));
    const firstSequence = this.requestsSent();
    const done = runLoad(
      {
        targets,
        requests: settings.requests,
        rate: settings.rate,
        concurrency: settings.concurrency,
        count: settings.count,
        firstSequence,
      },
      {
        signal: controller.signal,
        onProgress: (stats) => {
          if (this.load) this.load.stats = stats;
          this.loadChanged.fire(stats);
        },
      },
    );
    const run = { controller, done };
    this.load = run;
    this.loadChanged.fire(undefined);
    const finish = (stats: LoadStats | undefined): void => {
      if (this.load !== run) return;
      this.lastLoadStats = stats ?? this.load.stats;
      this.requestsBefore += this.lastLoadStats?.sent ?? 0;
      this.load = undefined;
      this.loadChanged.fire(stats);
    };
    done.then(finish, () => finish(undefined));
    return done;
  }

  async stopLoad(): Promise<void> {
    const run = this.load;
    if (!run) return;
    run.controller.abort();
    await run.done.catch(() => undefined);
  }

  /**
   * Forces GC, then captures a heap snapshot of `service` into `dir`, streaming it to disk.
   * Returns the file; a marker is added to the service's series.
   */
  async takeSnapshot(
    service: string,
    dir: string,
    label: string,
    options: { signal?: AbortSignal; onProgress?: (fraction: number) => void } = {},
  ): Promise<{ file: string; bytes: number; takenAt: number }> {
    const handle = this.handle(service);
    await mkdir(dir, { recursive: true });
    const takenAt = Date.now();
    const stamp = new Date(takenAt).toISOString().replace(/[:.]/g, '-');
    const file = join(dir, `${service}-${stamp}-${label.replace(/[^\w-]+/g, '_')}.heapsnapshot`);
    await handle.session.collectGarbage();
    const { bytes } = await handle.session.takeHeapSnapshot(file, {
      signal: options.signal,
      onProgress: (p) => options.onProgress?.(p.total > 0 ? p.done / p.total : 0),
    });
    const marker: SnapshotMarker = { time: takenAt, snapshotId: file, label };
    handle.series.markers.push(marker);
    this.marked.fire({ service, marker });
    return { file, bytes: bytes || (await stat(file)).size, takenAt };
  }

  /**
   * The session's services as a rig for the hunt pipeline: their inspector sessions and load
   * without a rate limit (a hunt counts requests, not seconds), sent through this session so
   * the live charts keep counting requests. Aborts when `signal` does or a service ends.
   */
  huntRig(signal: AbortSignal, concurrency: number): { rig: HuntRig; done(): void } {
    if (!this.group)
      throw new Error('Find Leak needs services started by Leak Hunt to drive load at.');
    const controller = signalUntilExit(this.group.services, signal);
    const guard = guardWith(controller.signal);
    const rig: HuntRig = {
      services: this.group.services.map((s) => ({
        name: s.name,
        session: s.session,
        exited: s.exited,
      })),
      signal: controller.signal,
      guard,
      load: async (requests, count) => {
        const stats = await guard(
          this.startLoad({ requests, count, concurrency }, controller.signal),
        );
        if (count > 0 && stats.ok === 0)
          throw new Error(
            `no request succeeded (${stats.non2xx} non-2xx, ${stats.errors} failed): is a service down?`,
          );
        return stats;
      },
    };
    return { rig, done: () => controller.abort(new Error('the hunt is over')) };
  }

  /** Marks a snapshot taken outside `takeSnapshot` (by a hunt) on the service's chart. */
  markSnapshot(service: string, file: string, label: string, time: number): void {
    const handle = this.handles.get(service);
    if (!handle) return;
    const marker: SnapshotMarker = { time, snapshotId: file, label };
    handle.series.markers.push(marker);
    this.marked.fire({ service, marker });
  }

  /** Stops load, sampling and every process this session started. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.load?.controller.abort();
      this.sampling.dispose();
      try {
        if (this.group) await this.group.stop();
        else if (this.target.kind === 'attached') await this.target.session.close();
      } finally {
        for (const handle of this.handles.values()) {
          if (handle.series.state !== 'running') continue;
          handle.series.state = 'stopped';
          this.stateChanged.fire({
            service: handle.name,
            state: 'stopped',
            bytesPerRequest: handle.series.bytesPerRequest,
          });
        }
        this.ended.fire();
        this.emitters.dispose();
      }
    })();
    return this.stopping;
  }

  dispose(): void {
    void this.stop();
  }
}
