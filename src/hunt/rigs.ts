import { runLoad, type LoadStats } from '../load';
import { launchServices, signalUntilExit } from '../inspector/launch';
import type { ExerciseManifest } from '../exercises/manifest';
import { runThenEnd } from './rigEnd';
import type { HuntEvent, HuntRig, RigService } from './types';

/** Rejects with the signal's reason once it aborts; never settles otherwise. */
function whenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** `guard` for a rig: races work against the signal, never leaving a rejection unhandled. */
export function guardWith(signal: AbortSignal): HuntRig['guard'] {
  const aborted = whenAborted(signal);
  aborted.catch(() => undefined);
  return <R>(promise: Promise<R>): Promise<R> => {
    promise.catch(() => undefined);
    return Promise.race([promise, aborted]);
  };
}

/**
 * A rig's `load`: the mix against `targets` (service name → loopback base URL), unthrottled (the
 * hunt counts requests, not seconds), failing when not one request succeeded.
 */
export function loaderFor(
  targets: Record<string, string>,
  concurrency: number | undefined,
  signal: AbortSignal,
  guard: HuntRig['guard'],
): HuntRig['load'] {
  return async (requests, count, first, limits = {}): Promise<LoadStats> => {
    const stats = await guard(
      runLoad(
        { targets, requests, count, concurrency, firstSequence: first, ...limits },
        { signal },
      ),
    );
    if (count > 0 && stats.ok === 0)
      throw new Error(
        `no request succeeded (${stats.non2xx} non-2xx, ${stats.errors} failed): ` +
          `check the request paths and that the service answers them`,
      );
    return stats;
  };
}

/**
 * V8's flag that records every allocation's stack from the start. Measured on task-api (2,000
 * requests): 3.4x slower than untracked, where switching tracking on over the inspector was 12x
 * slower and grew with the heap (V8 adds a full GC every 50 ms for the inspector's heap stats).
 */
const TRACK_ALLOCATIONS = '--track-heap-objects';

/** What `withLaunchedServices` starts. */
export interface LaunchedRigOptions {
  /** The app folder (service entries are relative to it). */
  appDir: string;
  manifest: ExerciseManifest;
  nodePath?: string;
  signal?: AbortSignal;
  onEvent?: (event: HuntEvent) => void;
  /** Start every service with `--track-heap-objects`, so snapshots carry allocation stacks. */
  trackAllocations?: boolean;
}

/**
 * Starts the manifest's services under the inspector, runs `work` on a rig bound to them and
 * always stops every process afterwards. If a service dies meanwhile, the work stops and the
 * service's exit (with its stderr tail, OOM flagged) is the error raised.
 */
export async function withLaunchedServices<T>(
  options: LaunchedRigOptions,
  work: (rig: HuntRig) => Promise<T>,
): Promise<T> {
  const { manifest, onEvent } = options;
  onEvent?.({
    phase: 'start',
    message: `starting ${manifest.services.map((s) => s.name).join(', ')}`,
  });
  const group = await launchServices({
    appDir: options.appDir,
    services: options.trackAllocations
      ? manifest.services.map((s) => ({
          ...s,
          nodeArgs: [TRACK_ALLOCATIONS, ...(s.nodeArgs ?? [])],
        }))
      : manifest.services,
    nodePath: options.nodePath,
    signal: options.signal,
    onWarning: (warning) => onEvent?.({ phase: 'start', message: `warning: ${warning.message}` }),
  });
  const controller = signalUntilExit(group.services, options.signal);
  const guard = guardWith(controller.signal);
  const targets = Object.fromEntries(group.services.map((s) => [s.name, s.url]));
  const services: RigService[] = group.services.map((s) => ({
    name: s.name,
    session: s.session,
    exited: s.exited,
  }));
  const rig: HuntRig = {
    services,
    signal: controller.signal,
    guard,
    load: loaderFor(targets, manifest.load.concurrency, controller.signal, guard),
    ...(options.trackAllocations ? { tracksAllocations: true } : {}),
  };
  return runThenEnd(
    rig,
    work,
    {
      controller,
      reason: 'the services were stopped',
      stopEvent: { phase: 'stop', message: 'stopping services' },
      stop: () => group.stop(),
    },
    onEvent,
  );
}
