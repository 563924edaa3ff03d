import type { ExerciseManifest } from '../exercises/manifest';
import type { HuntPlan } from './types';

/** Requests per load when a manifest names none. */
export const DEFAULT_REQUESTS_PER_RUNG = 2000;

/**
 * Most requests one load or warm-up may send (`load.count`, `check.step`, `check.warmup`,
 * `--count`, `--warmup`; the schema says the same). Ten times the largest any exercise uses; at
 * the few hundred requests per second a service under the inspector answers, a hunt of three such
 * loads already takes most of an hour, and a bigger figure is a typo, not a plan.
 */
export const MAX_REQUESTS_PER_LOAD = 100_000;

/** Largest `thresholdBytesPerRequest` (and `--threshold`): a leak keeping 1 MiB per request is
 * found by any threshold below it; more is a unit mistake. */
export const MAX_THRESHOLD_BYTES_PER_REQUEST = 1024 * 1024;

/** Loads after the warm-up: three rungs of growth, the fewest a `leak` verdict accepts. */
export const DEFAULT_RUNGS = 3;

/**
 * The plan for an exercise (or an `--entry` program described as one). A hunt uses the load
 * profile, finds the growing service itself and records allocation stacks for the suspects'
 * lines; a check measures the manifest's checked service with the check's own mix and step, and
 * skips allocation tracking (it slows the service and a verdict does not need it).
 */
export function planFromManifest(
  manifest: ExerciseManifest,
  kind: 'hunt' | 'check',
  top = 5,
): HuntPlan {
  const { check, load } = manifest;
  const shared = {
    warmup: check.warmup,
    rungs: DEFAULT_RUNGS,
    thresholdBytesPerRequest: check.thresholdBytesPerRequest,
    top,
  };
  if (kind === 'check')
    return {
      ...shared,
      service: check.service,
      requests: check.requests ?? load.requests,
      requestsPerRung: check.step,
      trackAllocations: false,
    };
  return {
    ...shared,
    ...(manifest.services.length === 1 ? { service: manifest.services[0]!.name } : {}),
    requests: load.requests,
    requestsPerRung: load.count ?? DEFAULT_REQUESTS_PER_RUNG,
    trackAllocations: true,
  };
}
