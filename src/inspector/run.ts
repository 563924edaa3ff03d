import type { ExerciseManifest, LoadRequest } from '../exercises/manifest';
import { runLoad, type LoadStats } from '../load';
import { launchServices, signalUntilExit } from './launch';
import type { CheckRunOptions, InspectorSession, ServiceGroup } from './types';

/** What `check` and `hunt` get while their services run. */
export interface RunContext {
  group: ServiceGroup;
  /** Aborts on the caller's signal or when any service ends (reason: `ServiceExitedError`). */
  signal: AbortSignal;
  progress(message: string): void;
  /** Sends `count` requests of `requests`, numbering them from `first`; fails if none succeeds. */
  load(requests: LoadRequest[], count: number, first: number): Promise<LoadStats>;
  /** Runs `work`, but settles with the abort reason as soon as `signal` aborts. */
  guard<T>(work: Promise<T>): Promise<T>;
  /** Forces GC in `session` and returns the used heap afterwards. */
  heapAfterGc(session: InspectorSession): Promise<number>;
}

/** Rejects with the signal's reason once it aborts; never settles otherwise. */
function whenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/**
 * Starts the manifest's services, runs `work` with helpers bound to them and always stops every
 * process afterwards. If a service dies meanwhile, the work stops and the service's exit (with
 * its stderr tail, OOM flagged) is the error raised.
 */
export async function withServices<T>(
  options: CheckRunOptions,
  work: (context: RunContext) => Promise<T>,
): Promise<T> {
  const progress = options.onProgress ?? (() => undefined);
  const manifest: ExerciseManifest = options.manifest;
  progress(`starting ${manifest.services.map((s) => s.name).join(', ')}`);
  const group = await launchServices({
    appDir: options.appDir,
    services: manifest.services,
    nodePath: options.nodePath,
    signal: options.signal,
  });
  const controller = signalUntilExit(group.services, options.signal);
  const aborted = whenAborted(controller.signal);
  aborted.catch(() => undefined);
  const guard = <R>(promise: Promise<R>): Promise<R> => {
    promise.catch(() => undefined);
    return Promise.race([promise, aborted]);
  };
  const targets = Object.fromEntries(group.services.map((s) => [s.name, s.url]));
  const context: RunContext = {
    group,
    signal: controller.signal,
    progress,
    guard,
    async load(requests, count, first) {
      const stats = await guard(
        runLoad(
          {
            targets,
            requests,
            count,
            concurrency: manifest.load.concurrency,
            firstSequence: first,
          },
          { signal: controller.signal },
        ),
      );
      if (count > 0 && stats.ok === 0)
        throw new Error(
          `no request succeeded (${stats.non2xx} non-2xx, ${stats.errors} failed): ` +
            `check the request paths and that the service answers them`,
        );
      return stats;
    },
    async heapAfterGc(session) {
      await guard(session.collectGarbage());
      return (await guard(session.heapUsage())).usedHeap;
    },
  };
  const running = work(context);
  try {
    return await guard(running);
  } finally {
    progress('stopping services');
    controller.abort(new Error('the services were stopped'));
    await group.stop();
    // Let the work finish its own clean-up (e.g. removing a partial snapshot) before returning;
    // with the services gone it fails fast, and the cap keeps a stuck step from hanging us.
    let cap: NodeJS.Timeout | undefined;
    await Promise.race([
      running.catch(() => undefined),
      new Promise((done) => (cap = setTimeout(done, 5000))),
    ]);
    clearTimeout(cap);
  }
}
