import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { watchdog } from '../common/watchdog';
import { runHuntPipeline } from './pipeline';
import { planFromManifest } from './plan';
import { withLaunchedServices, type LaunchedRigOptions } from './rigs';
import type { ExerciseManifest } from '../exercises/manifest';
import type { HuntEvent, HuntPlan, HuntReport, HuntRig, SnapshotDiff } from './types';

/** What a hunt or check on any rig runs and how it reports. */
export interface RigHuntOptions {
  kind: 'hunt' | 'check';
  /** The app as a manifest (an exercise, or a program described as one): gives the plan. */
  manifest: ExerciseManifest;
  /** Suspects reported; default 5. */
  top?: number;
  /** Folder for the snapshots; default a temporary one, removed afterwards. */
  snapshotDir?: string;
  /** The three-snapshot diff: `inProcessDiff` for the CLI, the heap worker in the editor. */
  diff: SnapshotDiff;
  onEvent?: (event: HuntEvent) => void;
}

/** Sets up a rig for the plan (launches, spawns or attaches), runs `work` on it, tears it down. */
export type RigRunner = (
  plan: HuntPlan,
  work: (rig: HuntRig) => Promise<HuntReport>,
) => Promise<HuntReport>;

/** What `huntApp` runs and how it reports. */
export type AppHuntOptions = LaunchedRigOptions & RigHuntOptions;

/**
 * A hunt or a check on whatever rig `withRig` sets up (an app's services, a start command, an
 * attached process), with the plan from the manifest. Without a snapshot folder the snapshots go
 * to a temporary one that is removed afterwards (a check needs only its verdict), and the report
 * then lists no snapshot files.
 */
export async function huntOnRig(withRig: RigRunner, options: RigHuntOptions): Promise<HuntReport> {
  const startedAt = performance.now();
  const plan = planFromManifest(options.manifest, options.kind, options.top);
  const keep = options.snapshotDir !== undefined;
  const snapshotDir = options.snapshotDir ?? (await mkdtemp(join(tmpdir(), 'leakhunt-check-')));
  // Killed outright (SIGKILL), Leak Hunt leaves no temporary folder: the watchdog removes it.
  const unguard = keep ? () => undefined : watchdog.removeOnDeath(snapshotDir);
  try {
    const report = await withRig(plan, (rig) =>
      runHuntPipeline(rig, plan, {
        snapshotDir,
        startedAt,
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
        diff: options.diff,
      }),
    );
    return keep ? report : { ...report, snapshots: [], ladder: report.ladder.map(withoutFile) };
  } finally {
    if (!keep) await rm(snapshotDir, { recursive: true, force: true });
    unguard();
  }
}

/**
 * A hunt or a check on an app folder described by a manifest (an exercise, or an `--entry`
 * program): starts its services, runs the pipeline, stops them.
 */
export function huntApp(options: AppHuntOptions): Promise<HuntReport> {
  return huntOnRig(
    (plan, work) =>
      withLaunchedServices({ ...options, trackAllocations: plan.trackAllocations }, work),
    options,
  );
}

function withoutFile<T extends { snapshot?: string }>({
  snapshot: _,
  ...rest
}: T): Omit<T, 'snapshot'> {
  return rest;
}

/** The leak check (`huntApp` as a check) in the shape `validateExercise` takes. */
export function checkApp(options: Omit<AppHuntOptions, 'kind'>): Promise<HuntReport> {
  return huntApp({ ...options, kind: 'check' });
}
