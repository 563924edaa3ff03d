import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { diffSnapshots } from '../heap';
import { ServiceExitedError } from './errors';
import { bytesPerRequest, formatBytes, judgeLadder } from './leakCheck';
import { withServices } from './run';
import type { HuntResult, HuntRunOptions, LadderStep, RunningService } from './types';

/** Wall-clock split of one hunt, in milliseconds, for the progress log and benchmarks. */
export interface HuntTimings {
  startMs: number;
  loadMs: number;
  snapshotMs: number;
  diffMs: number;
  totalMs: number;
}

/**
 * The headless hunt: start the services, warm up, (with several services) send one probe load
 * to find the service whose heap grows the most per request, then on that service take GC'd
 * snapshots around two more loads (baseline, target, final) and diff them for leak suspects.
 * Progress goes to `onProgress`; `onTimings` receives the wall-time split at the end.
 */
export async function runHunt(
  options: HuntRunOptions & {
    onTimings?: (timings: HuntTimings) => void;
    /** With several services: each one's heap growth per request during the probe load. */
    onGrowth?: (growth: { service: string; bytesPerRequest: number }[]) => void;
  },
): Promise<HuntResult> {
  const began = performance.now();
  const { manifest } = options;
  const count = manifest.load.count ?? 2000;
  const warmup = manifest.check.warmup;
  const requests = manifest.load.requests;
  const snapshotDir = resolve(options.snapshotDir);
  await mkdir(snapshotDir, { recursive: true });
  const timings: HuntTimings = { startMs: 0, loadMs: 0, snapshotMs: 0, diffMs: 0, totalMs: 0 };
  const result = await withServices(options, async (run) => {
    timings.startMs = performance.now() - began;
    let sent = 0;
    const load = async (n: number, label: string): Promise<void> => {
      run.progress(`${label}: ${n} requests`);
      const t = performance.now();
      const stats = await run.load(requests, n, sent);
      sent += n;
      timings.loadMs += performance.now() - t;
      const failed = stats.non2xx + stats.errors;
      run.progress(
        `  ${stats.requestsPerSecond} req/s, p95 ${stats.p95Ms} ms` +
          (failed ? `, ${stats.non2xx} non-2xx, ${stats.errors} failed` : ''),
      );
    };
    const measureAll = async (): Promise<number[]> => {
      const used: number[] = [];
      for (const service of run.group.services) used.push(await run.heapAfterGc(service.session));
      return used;
    };

    await load(warmup, 'warming up');
    const before = await measureAll();
    let chosen: RunningService = run.group.services[0]!;
    const ladder: LadderStep[] = [];
    if (run.group.services.length > 1) {
      // Which service grows is what the hunt must find out: one probe load, measured on all.
      await load(count, 'probe load');
      const after = await measureAll();
      const growth = run.group.services.map((service, i) => ({
        service,
        perRequest: (after[i]! - before[i]!) / count,
      }));
      for (const { service, perRequest } of growth)
        run.progress(`  ${service.name}: ${formatBytes(perRequest)} per request`);
      options.onGrowth?.(
        growth.map((g) => ({ service: g.service.name, bytesPerRequest: Math.round(g.perRequest) })),
      );
      chosen = growth.reduce((a, b) => (b.perRequest > a.perRequest ? b : a)).service;
      const index = run.group.services.indexOf(chosen);
      ladder.push({ requests: 0, usedHeap: before[index]! });
      ladder.push({ requests: count, usedHeap: after[index]! });
    } else {
      ladder.push({ requests: 0, usedHeap: before[0]! });
    }
    run.progress(`hunting in '${chosen.name}'`);

    const snapshots: string[] = [];
    const snapshot = async (label: string): Promise<void> => {
      const file = join(
        snapshotDir,
        `${chosen.name}-${snapshots.length + 1}-${label}.heapsnapshot`,
      );
      const t = performance.now();
      let lastReport = 0;
      let bytes: number;
      try {
        // Not guarded: on abort or disconnect the capture itself rejects, after removing its
        // partial file, so the hunt never returns with a half-written snapshot on disk.
        ({ bytes } = await chosen.session.takeHeapSnapshot(file, {
          signal: run.signal,
          onProgress: (p) => {
            if (p.total > 0 && performance.now() - lastReport > 1000) {
              lastReport = performance.now();
              run.progress(`  ${label} snapshot ${Math.round((p.done / p.total) * 100)}%`);
            }
          },
        }));
      } catch (error) {
        if (options.signal?.aborted) throw error;
        // A service dying mid-snapshot (often of OOM: the snapshot needs memory too) is the
        // story to tell, not the dropped connection.
        const exit = await Promise.race([chosen.exited, sleep(1000)]);
        if (exit) throw new ServiceExitedError(chosen.name, exit, { cause: error });
        throw error;
      }
      timings.snapshotMs += performance.now() - t;
      run.progress(`  ${label} snapshot: ${formatBytes(bytes)} in ${ms(performance.now() - t)}`);
      snapshots.push(file);
    };

    const measured = async (): Promise<void> => {
      const requests = ladder.at(-1)!.requests + count;
      ladder.push({ requests, usedHeap: await run.heapAfterGc(chosen.session) });
    };
    await snapshot('baseline');
    await load(count, 'load 1');
    await measured();
    await snapshot('target');
    await load(count, 'load 2');
    await measured();
    await snapshot('final');

    run.progress('diffing the snapshots');
    const t = performance.now();
    let lastReport = t;
    const [baseline, target, final] = snapshots as [string, string, string];
    const diff = await run.guard(
      (options.diff ?? diffSnapshots)(
        { baseline, target, final },
        {
          signal: run.signal,
          onProgress: (done, total) => {
            if (total > 0 && performance.now() - lastReport > 1000) {
              lastReport = performance.now();
              run.progress(`  reading snapshots ${Math.round((done / total) * 100)}%`);
            }
          },
          resolveScript: chosen.session.scriptResolver(),
          top: options.top ?? 5,
        },
      ),
    );
    timings.diffMs = performance.now() - t;
    const judged = judgeLadder(ladder, manifest.check.thresholdBytesPerRequest);
    const hunt: HuntResult = {
      verdict: judged.verdict,
      service: chosen.name,
      bytesPerRequest: Math.round(bytesPerRequest(ladder)),
      snapshots,
      suspects: diff.suspects.slice(0, options.top ?? 5).map((s) => ({
        name: s.name,
        count: s.count,
        retainedSize: s.retainedSize,
        path: s.path,
        ...(s.location ? { location: s.location } : {}),
      })),
    };
    return hunt;
  });
  timings.totalMs = performance.now() - began;
  options.onTimings?.(timings);
  options.onProgress?.(
    `done in ${ms(timings.totalMs)}: start ${ms(timings.startMs)}, load ${ms(timings.loadMs)}, ` +
      `snapshots ${ms(timings.snapshotMs)}, diff ${ms(timings.diffMs)}`,
  );
  return result;
}

function sleep(ms: number): Promise<undefined> {
  return new Promise((done) => setTimeout(() => done(undefined), ms));
}

function ms(value: number): string {
  return `${(value / 1000).toFixed(1)} s`;
}
