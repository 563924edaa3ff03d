/**
 * The heap engine's entry points on files: open and analyse a snapshot, summarise it, diff two
 * or three snapshots of one process.
 */
import { stat } from 'node:fs/promises';
import { traceLookup } from './allocations';
import { IdSet, analysedSide, classDeltas, rawSide, snapshotMismatch } from './diff';
import { abortError, isAbortError } from '../common/abort';
import { HeapSnapshotError } from './errors';
import { readSnapshot, type ReadMode, type RawSnapshot } from './reader';
import type { ClassSummary, DiffResult, ScriptResolver, SummaryResult } from './results';
import { pinpointSuspects } from './ownerLine';
import { HeapSnapshot } from './snapshot';
import { survivorTotals } from './survivors';
import { findSuspects } from './suspects';

/** Options shared by the engine's entry points. */
export interface EngineOptions {
  signal?: AbortSignal;
  /** Bytes read so far and in total (over all files of a diff). */
  onProgress?: (done: number, total: number) => void;
  /** Keep only the first N classes (and suspects). */
  top?: number;
}

/** Reads and fully analyses one snapshot (dominators, distances, class names). */
export async function openSnapshot(
  file: string,
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<HeapSnapshot> {
  const raw = await readSnapshot(file, options);
  return analyze(raw, options.signal);
}

async function analyze(raw: RawSnapshot, signal?: AbortSignal): Promise<HeapSnapshot> {
  try {
    return await HeapSnapshot.analyze(raw, signal);
  } catch (error) {
    if (isAbortError(error) || error instanceof HeapSnapshotError) throw error;
    // A graph so odd that analysis breaks is still bad input, not an engine crash.
    throw new HeapSnapshotError(
      `cannot analyse the snapshot: ${(error as Error).message}`,
      raw.fileSize,
      'graph',
      { cause: error },
    );
  }
}

/** The Summary rows of an analysed snapshot, sorted by retained size (largest first). */
export function summarize(snapshot: HeapSnapshot, top?: number): SummaryResult {
  const classes: ClassSummary[] = snapshot
    .classAggregates()
    .slice(0, top ?? Infinity)
    .map(({ name, count, selfSize, retainedSize, distance }) => ({
      name,
      count,
      selfSize,
      retainedSize,
      // -1 for a class none of whose members the roots reach, as for objects.
      distance: distance < 0 ? -1 : distance,
    }));
  return {
    nodeCount: snapshot.nodeCount,
    edgeCount: snapshot.edgeCount,
    totalSize: snapshot.totalSize,
    classes,
  };
}

/**
 * Summary of one `.heapsnapshot` file: node/edge counts, total size and per-class count, self
 * and retained size like DevTools' Summary view. Rejects with HeapSnapshotError on bad input.
 */
export async function summarizeSnapshot(
  file: string,
  options: EngineOptions = {},
): Promise<SummaryResult> {
  const snapshot = await openSnapshot(file, options);
  return summarize(snapshot, options.top);
}

/**
 * Diff by V8 object id. Two files: per-class new/deleted between baseline and target, and
 * suspects among the objects new in target. Three files: suspects are the objects allocated
 * between baseline and target that are still alive in final (the three-snapshot technique);
 * the classes compare baseline with final.
 */
export async function diffSnapshots(
  files: { baseline: string; target: string; final?: string },
  options: EngineOptions & { resolveScript?: ScriptResolver } = {},
): Promise<DiffResult> {
  const { signal, onProgress } = options;
  // The baseline with its edges, so its deleted objects get the Summary's class names.
  const order: [string, ReadMode][] = [[files.baseline, 'full']];
  if (files.final) order.push([files.target, 'ids'], [files.final, 'full']);
  else order.push([files.target, 'full']);
  const sizes = await Promise.all(
    order.map(async ([file]) => {
      try {
        return (await stat(file)).size;
      } catch (error) {
        throw new HeapSnapshotError(`cannot open ${file}: ${(error as Error).message}`, 0, 'file', {
          cause: error,
          problem: 'unreadable',
        });
      }
    }),
  );
  const total = sizes.reduce((a, b) => a + b, 0);
  let before = 0;
  const raws: RawSnapshot[] = [];
  for (let i = 0; i < order.length; i++) {
    const [file, mode] = order[i];
    const offset = before;
    raws.push(
      await readSnapshot(file, {
        signal,
        mode,
        onProgress: onProgress && ((done) => onProgress(offset + done, total)),
      }),
    );
    before += sizes[i];
  }
  if (signal?.aborted) throw abortError(signal);
  const latest = await analyze(raws[raws.length - 1], signal);
  return pinpointSuspects(diffLoaded(raws[0], files.final ? raws[1] : undefined, latest, options));
}

/**
 * The diff on snapshots already in memory: `baseline` read at least in `nodes` mode (in `full`
 * mode its classes get the Summary's names), `target` (three-snapshot technique) at least in
 * `ids` mode, `latest` fully analysed (target or final).
 */
export function diffLoaded(
  baseline: RawSnapshot,
  target: RawSnapshot | undefined,
  latest: HeapSnapshot,
  options: { top?: number; resolveScript?: ScriptResolver; suspects?: boolean } = {},
): DiffResult {
  const baselineIds = new IdSet(baseline.nodeId);
  const targetIds = target ? new IdSet(target.nodeId) : undefined;
  const ids = latest.raw.nodeId;
  const survivors = new Uint8Array(latest.nodeCount);
  for (let n = 0; n < latest.nodeCount; n++) {
    const id = ids[n];
    if (baselineIds.has(id)) continue;
    if (targetIds && !targetIds.has(id)) continue;
    survivors[n] = 1;
  }
  const latestIds = new IdSet(ids);
  const classes = classDeltas(
    rawSide(baseline),
    analysedSide(latest),
    baselineIds,
    latestIds,
  ).slice(0, options.top ?? Infinity);
  const suspects =
    options.suspects === false
      ? []
      : findSuspects(latest, survivors, {
          top: options.top,
          resolveScript: options.resolveScript,
          traces: traceLookup(latest.raw, target),
        });
  const mismatch = snapshotMismatch(
    target ? [baseline, target, latest.raw] : [baseline, latest.raw],
    target ? [0, 2] : [0, 1],
  );
  return {
    classes,
    suspects,
    ...(target ? { survivors: survivorTotals(latest, survivors) } : {}),
    ...(mismatch ? { mismatch } : {}),
  };
}
