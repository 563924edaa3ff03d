import type { HuntEvent, HuntReport } from '../hunt/types';
import type { CheckSpec, ExerciseManifest, LeakSpec } from './manifest';

/**
 * One leak check an exercise runs: the top-level `check`, or a leak's own partial check merged
 * over it. `manifest` is the exercise's manifest with `check` set to this one, so the hunt
 * pipeline (which reads `manifest.check`) runs it unchanged.
 */
export interface ExerciseCheck {
  /** "check" for the top-level one, "check for leak 2" for a leak's own (never its id). */
  label: string;
  /** 1-based numbers of the leaks whose own check this is; empty for the top-level check. */
  leaks: number[];
  manifest: ExerciseManifest;
}

/** The leaks of a manifest, in manifest order (none for a no-leak or older-shape exercise). */
export function leaksOf(manifest: ExerciseManifest): LeakSpec[] {
  return manifest.leaks ?? [];
}

/** A leak's check: its own partial check merged over the top-level one. */
function mergedCheck(manifest: ExerciseManifest, leak: LeakSpec): CheckSpec {
  return { ...manifest.check, ...leak.check };
}

/**
 * Every distinct check the exercise runs: the top-level check first, then each leak's own check
 * that differs from every one before it. A learner's check, verify and grade run all of them;
 * the exercise leaks if any says leak.
 */
export function exerciseChecks(manifest: ExerciseManifest): ExerciseCheck[] {
  const checks: (ExerciseCheck & { key: string })[] = [
    { label: 'check', leaks: [], manifest, key: checkKey(manifest.check) },
  ];
  leaksOf(manifest).forEach((leak, i) => {
    if (!leak.check) return;
    const check = mergedCheck(manifest, leak);
    const key = checkKey(check);
    const same = checks.find((c) => c.key === key);
    if (same) {
      if (same.leaks.length) same.leaks.push(i + 1);
      return;
    }
    checks.push({ label: '', leaks: [i + 1], manifest: { ...manifest, check }, key });
  });
  return checks.map(({ key: _, ...check }) => ({
    ...check,
    label: check.leaks.length
      ? `check for ${check.leaks.map((n) => `leak ${n}`).join(', ')}`
      : 'check',
  }));
}

// Key order follows CheckSpec's, so equal specs written in any order compare equal.
function checkKey(check: CheckSpec): string {
  const { service, requests, warmup, step, thresholdBytesPerRequest } = check;
  return JSON.stringify([service, requests ?? null, warmup, step, thresholdBytesPerRequest]);
}

/** The reports of every check an exercise runs, and the one that decides the overall verdict. */
export interface CheckOutcome {
  reports: { check: ExerciseCheck; report: HuntReport }[];
  /**
   * The deciding report: the first that says leak; else the first inconclusive one; else (all
   * say no leak) the one closest to its threshold.
   */
  decisive: HuntReport;
}

/** Runs the live leak check on an app folder (`checkApp` from the hunt pipeline, in production). */
export type LeakCheck = (options: {
  appDir: string;
  manifest: ExerciseManifest;
  nodePath?: string;
  signal?: AbortSignal;
  onEvent?: (event: HuntEvent) => void;
}) => Promise<HuntReport>;

/**
 * Runs the checks of `exerciseChecks` one after another (they share the machine, and a check
 * measures under load) and decides: leak if any says leak, so the first that does ends the run.
 */
export async function runExerciseChecks(
  manifest: ExerciseManifest,
  run: (check: ExerciseCheck) => Promise<HuntReport>,
): Promise<CheckOutcome> {
  const reports: CheckOutcome['reports'] = [];
  for (const check of exerciseChecks(manifest)) {
    const report = await run(check);
    reports.push({ check, report });
    if (report.verdict === 'leak') break;
  }
  const all = reports.map((r) => r.report);
  const decisive =
    all.find((r) => r.verdict === 'leak') ??
    all.find((r) => r.verdict === 'inconclusive') ??
    all.reduce((closest, r) => (thresholdShare(r) > thresholdShare(closest) ? r : closest));
  return { reports, decisive };
}

/**
 * A learner's leak check: `leakCheck` run for every check the exercise declares (the top-level
 * one and each leak's own), resolving to the deciding report. With one check, `leakCheck` itself.
 */
export function everyExerciseCheck(leakCheck: LeakCheck): LeakCheck {
  return async (options) => {
    const count = exerciseChecks(options.manifest).length;
    if (count === 1) return leakCheck(options);
    let started = 0;
    const outcome = await runExerciseChecks(options.manifest, (check) => {
      options.onEvent?.({ phase: 'start', message: `${check.label} (${++started} of ${count})` });
      return leakCheck({ ...options, manifest: check.manifest });
    });
    return outcome.decisive;
  };
}

/** The bytes per request the verdict rests on: the survivors when measured, else the slope. */
export function survivingBytesPerRequest(report: HuntReport): number {
  return report.evidence.survivingBytesPerRequest ?? report.bytesPerRequest;
}

function thresholdShare(report: HuntReport): number {
  return survivingBytesPerRequest(report) / report.thresholdBytesPerRequest;
}

/** One rung of a hint ladder, as a learner sees it. */
export interface HintRung {
  /** "nudge", "where to look", "how to fix"; "hint 2" for a general hint. */
  label: string;
  /** Markdown. */
  text: string;
}

/** One ordered ladder of hints: the general hints, or one leak's nudge → where → fix. */
export interface HintLadder {
  /** 1-based leak number, in manifest order; absent for the general hints. */
  leak?: number;
  /** What the learner sees: "leak 2" or "general hints" (never a leak's id). */
  name: string;
  rungs: HintRung[];
}

const RUNG_LABELS = { nudge: 'nudge', where: 'where to look', fix: 'how to fix' } as const;

/** The exercise's hint ladders: the general hints first (when any), then one per leak. */
export function hintLadders(manifest: ExerciseManifest): HintLadder[] {
  const ladders: HintLadder[] = [];
  const general = manifest.hints ?? [];
  if (general.length)
    ladders.push({
      name: 'general hints',
      rungs: general.map((text, i) => ({ label: `hint ${i + 1}`, text })),
    });
  leaksOf(manifest).forEach((leak, i) =>
    ladders.push({
      leak: i + 1,
      name: `leak ${i + 1}`,
      rungs: (['nudge', 'where', 'fix'] as const).map((rung) => ({
        label: RUNG_LABELS[rung],
        text: leak.hints[rung],
      })),
    }),
  );
  return ladders;
}

/** Every hint of every ladder, the total a progress report counts hints used against. */
export function hintCount(manifest: ExerciseManifest): number {
  return hintLadders(manifest).reduce((sum, ladder) => sum + ladder.rungs.length, 0);
}
