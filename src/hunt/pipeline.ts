import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatBytes } from '../common/format';
import { ServiceExitedError } from '../inspector/errors';
import { LoadStalledError, type LoadStats } from '../load';
import {
  DEFAULT_HUNT_TIMEOUTS,
  EXIT_STORY_MS,
  HuntTimeoutError,
  ServiceUnresponsiveError,
  within,
  seconds as duration,
  type HuntTimeouts,
} from './timeouts';
import type {
  HuntEvent,
  HuntPlan,
  HuntReport,
  HuntRig,
  HuntTimings,
  MemoryReading,
  RigService,
  Rung,
  SnapshotDiff,
  TakenSnapshot,
} from './types';
import { bytesPerRequest, judge, retainedMemory } from './verdict';

/** How the caller watches and shapes one run. */
export interface HuntOptions {
  /** Where the three snapshots are written (created if missing). */
  snapshotDir: string;
  onEvent?: (event: HuntEvent) => void;
  /** Each snapshot as soon as it is on disk (the editor lists them while the hunt goes on). */
  onSnapshot?: (snapshot: TakenSnapshot) => void;
  /** The three-snapshot diff: in-process for the CLI, the heap worker in the editor. */
  diff: SnapshotDiff;
  /** `performance.now()` when the caller began (before starting services), for the timings. */
  startedAt?: number;
  /** Overrides of the steps' time limits (`DEFAULT_HUNT_TIMEOUTS`). */
  timeouts?: Partial<HuntTimeouts>;
}

const LABELS = ['baseline', 'target', 'final'] as const;

/**
 * The one hunt: warm up, then read the heap after GC before and after each load (the rungs);
 * snapshot the last three rungs, recording allocation stacks between the first two; diff them
 * (allocated during the middle load, alive after the last); judge from what survived and how the
 * heap grew. With several services and none named, the first load is measured on all of them and
 * the one that grew most is hunted. `leakhunt hunt`, `leakhunt check`, `validate` and the
 * editor's Find Leak and Run Leak Check all run this; they differ only in the plan and the rig.
 */
export async function runHuntPipeline(
  rig: HuntRig,
  plan: HuntPlan,
  options: HuntOptions,
): Promise<HuntReport> {
  try {
    return await huntSteps(rig, plan, options);
  } catch (error) {
    throw await explainedByExit(rig, error);
  }
}

/**
 * A service that died mid-hunt is the story to tell, not what its death broke: the dropped
 * inspector socket, a failed request, a snapshot cut short. Those errors can reach the hunt
 * before the process's exit does (an out-of-memory death takes a moment to be reported), so a
 * failed step waits briefly for an exit. Stopping on purpose (Ctrl-C) is told as it is.
 */
async function explainedByExit(rig: HuntRig, error: unknown): Promise<unknown> {
  if (error instanceof ServiceExitedError) return error;
  if (rig.signal.reason instanceof ServiceExitedError) return rig.signal.reason;
  if (rig.signal.aborted) return error;
  const exits = rig.services.flatMap(({ name, exited }) =>
    exited ? [exited.then((exit) => new ServiceExitedError(name, exit, { cause: error }))] : [],
  );
  if (exits.length === 0) return error;
  return (await Promise.race([...exits, sleep(EXIT_STORY_MS)])) ?? error;
}

async function huntSteps(rig: HuntRig, plan: HuntPlan, options: HuntOptions): Promise<HuntReport> {
  const begun = performance.now();
  const timings: HuntTimings = {
    startMs: options.startedAt === undefined ? 0 : begun - options.startedAt,
    loadMs: 0,
    snapshotMs: 0,
    diffMs: 0,
    totalMs: 0,
  };
  const snapshotDir = resolve(options.snapshotDir);
  await mkdir(snapshotDir, { recursive: true });
  const limits: HuntTimeouts = { ...DEFAULT_HUNT_TIMEOUTS, ...options.timeouts };
  const rungCount = Math.max(plan.rungs, LABELS.length);
  // warm-up, the loads, the snapshots and the diff: the steps `fraction` counts.
  const steps = 1 + rungCount + LABELS.length + 1;
  let done = 0;
  const emit = (phase: HuntEvent['phase'], message: string): void =>
    options.onEvent?.({ phase, message, fraction: Math.min(1, done / steps) });

  let sent = 0;
  /** Responses received over the whole hunt, warm-up included, for "stopped answering after". */
  let answered = 0;
  const load = async (
    count: number,
    label: string,
    phase: HuntEvent['phase'] = 'load',
  ): Promise<void> => {
    emit(phase, `${label}: ${count} requests`);
    const t = performance.now();
    const budget = limits.loadBaseMs + count * limits.loadPerRequestMs;
    let stats: LoadStats;
    try {
      stats = await within(
        rig.load(plan.requests, count, sent, { requestTimeoutMs: limits.requestMs }),
        budget,
        () =>
          new HuntTimeoutError(
            'load',
            undefined,
            budget,
            `${label} (${count} requests) did not finish within ${duration(budget)}: the ` +
              `services answer, but too slowly for this load; send fewer requests per load`,
          ),
      );
    } catch (error) {
      if (error instanceof LoadStalledError) throw await unresponsive(rig, error, answered, limits);
      throw error;
    }
    answered += stats.ok + stats.non2xx;
    sent += count;
    timings.loadMs += performance.now() - t;
    done++;
    const failed = stats.non2xx + stats.errors;
    emit(
      phase,
      `  ${stats.requestsPerSecond} req/s, p95 ${stats.p95Ms} ms` +
        (failed ? `, ${stats.non2xx} non-2xx, ${stats.errors} failed` : ''),
    );
  };
  const heapAfterGc = (service: RigService): Promise<MemoryReading> =>
    within(
      rig.guard(
        (async () => {
          await service.session.collectGarbage();
          const { usedHeap } = await service.session.heapUsage();
          const arrayBuffers = await service.session.arrayBuffers();
          return arrayBuffers === undefined ? { usedHeap } : { usedHeap, arrayBuffers };
        })(),
      ),
      limits.measureMs,
      () =>
        new HuntTimeoutError(
          'measure',
          service.name,
          limits.measureMs,
          `service '${service.name}' did not finish a forced garbage collection and a heap ` +
            `reading within ${duration(limits.measureMs)}: is it blocked outside JavaScript?`,
        ),
    );

  await load(plan.warmup, 'warming up', 'warmup');
  sent = 0;
  const { chosen, first, growth } = await pickService(rig, plan, heapAfterGc, load, emit);
  const rungs: Rung[] = [...first];
  const measured = async (): Promise<void> => {
    const reading = await heapAfterGc(chosen);
    rungs.push({ requests: sent, ...reading });
    emit('measure', `  ${chosen.name}: ${describeReading(reading)} after GC`);
  };

  const snapshots: string[] = [];
  // `tracking` while V8 records allocation stacks; `tracked` once the target snapshot has them.
  let tracking = false;
  let tracked = false;
  const snapshot = async (label: (typeof LABELS)[number]): Promise<void> => {
    const index = snapshots.length + 1;
    const file = join(snapshotDir, `${chosen.name}-${index}-${label}.heapsnapshot`);
    const t = performance.now();
    let lastReport = 0;
    let bytes: number;
    // V8 writes the traces into the snapshot that ends tracking; the engine reads them from the
    // target (traces of objects that outlived an earlier snapshot are not reliable anyway).
    const stopTracking = tracking && label === 'target';
    const stall = stallWatch(limits.snapshotStallMs, chosen.name, `the ${label} snapshot`);
    try {
      // Not guarded: on abort or disconnect the capture itself rejects, after removing its
      // partial file, so the hunt never returns with a half-written snapshot on disk.
      ({ bytes } = await chosen.session.takeHeapSnapshot(file, {
        signal: AbortSignal.any([rig.signal, stall.signal]),
        stopTracking,
        onProgress: (p) => {
          stall.progressed();
          if (p.total > 0 && performance.now() - lastReport > 1000) {
            lastReport = performance.now();
            emit('snapshot', `  ${label} snapshot ${Math.round((p.done / p.total) * 100)}%`);
          }
        },
      }));
    } catch (error) {
      if (stall.signal.aborted && !rig.signal.aborted) throw stall.signal.reason;
      // A service dying mid-snapshot (often of OOM: the snapshot needs memory too) is told by
      // runHuntPipeline, which waits for its exit; Ctrl-C is told as it is.
      throw error;
    } finally {
      stall.end();
    }
    if (stopTracking) tracking = false;
    timings.snapshotMs += performance.now() - t;
    done++;
    emit(
      'snapshot',
      `  ${label} snapshot: ${formatBytes(bytes)} in ${seconds(performance.now() - t)}`,
    );
    snapshots.push(file);
    rungs[rungs.length - 1]!.snapshot = file;
    options.onSnapshot?.({ file, service: chosen.name, label, bytes, takenAt: Date.now() });
  };

  emit('measure', `measuring '${chosen.name}'`);
  try {
    for (let rung = first.length - 1; rung < rungCount; rung++) {
      // The last three rungs are snapshotted: baseline, target, final.
      const label = LABELS[rung - (rungCount - LABELS.length + 1)];
      if (label) await snapshot(label);
      if (label === 'baseline' && plan.trackAllocations) {
        if (rig.tracksAllocations) tracked = true;
        else tracked = tracking = await startTracking(chosen, emit);
      }
      await load(plan.requestsPerRung, `load ${rung + 1} of ${rungCount}`);
      await measured();
    }
    await snapshot('final');
  } catch (error) {
    // A service that lives on (the editor's) must not stay slowed by allocation tracking.
    if (tracking) await stopTracking(chosen, snapshotDir, limits.snapshotStallMs);
    throw error;
  }

  emit('diff', 'diffing the snapshots');
  const t = performance.now();
  let lastReport = t;
  const [baseline, target, final] = snapshots as [string, string, string];
  const diff = await rig.guard(
    options.diff(
      { baseline, target, final },
      {
        signal: rig.signal,
        onProgress: (read, total) => {
          if (total > 0 && performance.now() - lastReport > 1000) {
            lastReport = performance.now();
            emit('diff', `  reading snapshots ${Math.round((read / total) * 100)}%`);
          }
        },
        scripts: chosen.session.scriptMap(),
        top: Math.max(1, plan.top),
      },
    ),
  );
  timings.diffMs = performance.now() - t;
  done++;

  const survivors = diff.survivors;
  const perRequest = (bytes: number): number => Math.round(bytes / plan.requestsPerRung);
  const surviving = survivors ? perRequest(survivors.bytes) : 0;
  const v8Surviving = survivors ? perRequest(survivors.v8Bytes) : 0;
  const judgement = judge({
    rungs,
    thresholdBytesPerRequest: plan.thresholdBytesPerRequest,
    survivingBytesPerRequest: surviving,
    v8SurvivingBytesPerRequest: v8Surviving,
    requestsPerRung: plan.requestsPerRung,
  });
  const suspects = diff.suspects.slice(0, plan.top);
  const retainedBySuspects = suspects.reduce((sum, s) => sum + s.retainedSize, 0);
  timings.totalMs = performance.now() - (options.startedAt ?? begun);
  const report: HuntReport = {
    verdict: judgement.verdict,
    reason: judgement.reason,
    ...(judgement.advice ? { advice: judgement.advice } : {}),
    service: chosen.name,
    bytesPerRequest: Math.round(bytesPerRequest(rungs)),
    thresholdBytesPerRequest: plan.thresholdBytesPerRequest,
    monotonic: judgement.monotonic,
    ladder: rungs,
    evidence: {
      requestsPerRung: plan.requestsPerRung,
      growthPerRung: judgement.growthPerRung,
      lateBytesPerRequest: judgement.lateBytesPerRequest,
      ...(survivors
        ? {
            survivingBytesPerRequest: surviving,
            v8SurvivingBytesPerRequest: v8Surviving,
            survivors,
            explainedShare:
              survivors.bytes > 0 ? Math.min(1, round2(retainedBySuspects / survivors.bytes)) : 0,
          }
        : {}),
      ...(growth ? { services: growth } : {}),
      allocationTracking: tracked,
    },
    snapshots,
    suspects,
    timings,
  };
  emit('verdict', `${report.verdict}: ${report.reason}`);
  options.onEvent?.({
    phase: 'verdict',
    message:
      `done in ${seconds(timings.totalMs)}: start ${seconds(timings.startMs)}, ` +
      `load ${seconds(timings.loadMs)}, snapshots ${seconds(timings.snapshotMs)}, ` +
      `diff ${seconds(timings.diffMs)}`,
    fraction: 1,
  });
  return report;
}

/**
 * The service to hunt and its first rungs (before and after the first load). With several
 * services and none named, the first load is measured on all of them and the one whose heap grew
 * most per request is chosen; everyone's growth is returned for the report.
 */
async function pickService(
  rig: HuntRig,
  plan: HuntPlan,
  heapAfterGc: (service: RigService) => Promise<MemoryReading>,
  load: (count: number, label: string) => Promise<void>,
  emit: (phase: HuntEvent['phase'], message: string) => void,
): Promise<{
  chosen: RigService;
  first: Rung[];
  growth?: { service: string; bytesPerRequest: number }[];
}> {
  const named = plan.service ?? (rig.services.length === 1 ? rig.services[0]!.name : undefined);
  const candidates = named ? rig.services.filter((s) => s.name === named) : rig.services;
  if (candidates.length === 0)
    throw new Error(
      `no service '${named}' to measure (running: ${rig.services.map((s) => s.name).join(', ')})`,
    );
  const before: MemoryReading[] = [];
  for (const service of candidates) before.push(await heapAfterGc(service));
  await load(plan.requestsPerRung, `load 1 of ${Math.max(plan.rungs, 3)}`);
  const after: MemoryReading[] = [];
  for (const service of candidates) after.push(await heapAfterGc(service));
  const perRequest = candidates.map((service, i) => ({
    service,
    perRequest: (retainedMemory(after[i]!) - retainedMemory(before[i]!)) / plan.requestsPerRung,
  }));
  const best = perRequest.reduce((a, b) => (b.perRequest > a.perRequest ? b : a));
  const index = candidates.indexOf(best.service);
  const first: Rung[] = [
    { requests: 0, ...before[index]! },
    { requests: plan.requestsPerRung, ...after[index]! },
  ];
  if (candidates.length === 1) return { chosen: best.service, first };
  for (const { service, perRequest: growth } of perRequest)
    emit('measure', `  ${service.name}: ${formatBytes(growth)} per request`);
  return {
    chosen: best.service,
    first,
    growth: perRequest.map((g) => ({
      service: g.service.name,
      bytesPerRequest: Math.round(g.perRequest),
    })),
  };
}

/**
 * The error for a load that stalled: which service stopped answering, after how many requests,
 * and what it is doing, found by pausing it through its inspector (bounded: a service blocked
 * outside JavaScript does not pause). A service that died meanwhile is reported as its exit.
 */
async function unresponsive(
  rig: HuntRig,
  stalled: LoadStalledError,
  answeredBefore: number,
  limits: HuntTimeouts,
): Promise<Error> {
  const service = rig.services.find((s) => s.name === stalled.service);
  const busy = service ? await service.session.whereBusy(limits.pauseMs) : undefined;
  if (rig.signal.reason instanceof ServiceExitedError) return rig.signal.reason;
  return new ServiceUnresponsiveError(
    stalled.service,
    answeredBefore + stalled.answered,
    stalled.request,
    stalled.timeoutMs,
    busy,
    limits.pauseMs,
    { cause: stalled },
  );
}

/** Starts allocation tracking; a target that cannot (an old Node) is hunted without it. */
async function startTracking(
  service: RigService,
  emit: (phase: HuntEvent['phase'], message: string) => void,
): Promise<boolean> {
  try {
    await service.session.startTrackingAllocations();
    emit('load', '  recording allocation stacks');
    return true;
  } catch (error) {
    emit('load', `  allocation stacks unavailable: ${(error as Error).message}`);
    return false;
  }
}

/**
 * Ends allocation tracking after a failed run. V8 only ends it by taking a snapshot (disabling the
 * profiler would also reset object ids and break every later diff), so one is written and dropped.
 */
async function stopTracking(service: RigService, dir: string, stallMs: number): Promise<void> {
  const file = join(dir, `${service.name}-abandoned.heapsnapshot`);
  // Bounded like any snapshot: a service that stopped answering must not hang the clean-up.
  const stall = stallWatch(stallMs, service.name, 'the snapshot ending allocation tracking');
  try {
    await service.session.takeHeapSnapshot(file, {
      stopTracking: true,
      signal: stall.signal,
      onProgress: () => stall.progressed(),
    });
  } catch {
    // The service is gone, its connection closed or it is stuck: nothing more can be done.
  } finally {
    stall.end();
  }
  await rm(file, { force: true });
}

/**
 * A signal that aborts, with a `HuntTimeoutError`, once a snapshot has made no progress for
 * `ms`: a snapshot's length grows with the heap, but V8 reports progress all along.
 */
function stallWatch(
  ms: number,
  service: string,
  what: string,
): { signal: AbortSignal; progressed(): void; end(): void } {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const progressed = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const message =
        `${what} of '${service}' made no progress for ${duration(ms)}: ` +
        `is the service blocked outside JavaScript?`;
      controller.abort(new HuntTimeoutError('snapshot', service, ms, message));
    }, ms);
  };
  progressed();
  return { signal: controller.signal, progressed, end: () => clearTimeout(timer) };
}

function seconds(value: number): string {
  return `${(value / 1000).toFixed(1)} s`;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** A reading as the progress line shows it: `12.1 MiB used`, plus buffers when there are some. */
function describeReading(reading: MemoryReading): string {
  const used = `${formatBytes(reading.usedHeap)} used`;
  return reading.arrayBuffers ? `${used}, ${formatBytes(reading.arrayBuffers)} in buffers` : used;
}
