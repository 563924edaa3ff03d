import type { ExerciseProgress, LeakCheckRecord } from '../progress/model';
import type { LearnerProgress } from './progressExports';

/**
 * One class view from many learners' progress: per learner and exercise, whether it was solved,
 * the active time, hints revealed, snapshots, test and leak-check runs; per exercise, how many
 * learners started and solved it, with medians. Plain data: the HTML and CSV writers share it.
 */

export type CellStatus = 'solved' | 'started';

/** One learner's work on one exercise. */
export interface ReportCell {
  status: CellStatus;
  started: string;
  solved?: string;
  activeMinutes: number;
  hints: number;
  snapshots: number;
  testRuns: number;
  /** `3 passed, 1 failed` of the last run, when there was one. */
  lastTests?: { passed: number; failed: number; skipped: number };
  leakChecks: number;
  lastVerdict?: LeakCheckRecord['verdict'];
}

export interface LearnerRow {
  learner: string;
  /** Files the learner's progress was read from. */
  sources: string[];
  cells: Record<string, ReportCell>;
  solvedCount: number;
  activeMinutes: number;
}

export interface ExerciseSummary {
  id: string;
  title: string;
  set: string;
  started: number;
  solved: number;
  notStarted: number;
  /** Median active minutes of the learners who solved it. */
  medianMinutesToSolve?: number;
  /** Median hints revealed, over the learners who started it. */
  medianHints?: number;
  testRuns: number;
  leakChecks: number;
}

export interface ClassReport {
  generatedAt: string;
  learners: LearnerRow[];
  exercises: ExerciseSummary[];
  /** Learners whose progress came from more than one file, for the reader to know. */
  merged: string[];
}

/** Longest learner name or title shown; longer ones are cut (they come from learners' files). */
const MAX_NAME = 80;

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_NAME ? `${flat.slice(0, MAX_NAME - 1)}…` : flat;
}

function median(values: number[]): number | undefined {
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function toCell(p: ExerciseProgress): ReportCell {
  const lastRun = p.testRuns.at(-1);
  const lastCheck = p.leakChecks.at(-1);
  return {
    status: p.solved !== undefined ? 'solved' : 'started',
    started: p.started,
    ...(p.solved !== undefined ? { solved: p.solved } : {}),
    activeMinutes: Math.round(p.activeSeconds / 60),
    hints: p.hints.length,
    snapshots: p.snapshots.length,
    testRuns: p.testRuns.length,
    ...(lastRun
      ? { lastTests: { passed: lastRun.passed, failed: lastRun.failed, skipped: lastRun.skipped } }
      : {}),
    leakChecks: p.leakChecks.length,
    ...(lastCheck ? { lastVerdict: lastCheck.verdict } : {}),
  };
}

/** Of two records of one exercise (two machines, two exports), the one further along. */
function furtherAlong(a: ExerciseProgress, b: ExerciseProgress): ExerciseProgress {
  if ((a.solved !== undefined) !== (b.solved !== undefined)) return a.solved !== undefined ? a : b;
  return b.activeSeconds > a.activeSeconds ? b : a;
}

/**
 * Builds the class view. A learner is known by name; when several files carry the same learner,
 * each exercise keeps the record that is furthest along (solved first, then the longer one).
 * Exercises are ordered by when learners started them, which follows the set's order.
 */
export function buildClassReport(files: readonly LearnerProgress[], now: number): ClassReport {
  const byLearner = new Map<
    string,
    { sources: string[]; exercises: Map<string, ExerciseProgress> }
  >();
  for (const file of files) {
    const name = shorten(file.learner);
    const entry = byLearner.get(name) ?? {
      sources: [] as string[],
      exercises: new Map<string, ExerciseProgress>(),
    };
    entry.sources.push(file.source);
    for (const raw of file.exercises) {
      const progress = { ...raw, exerciseId: shorten(raw.exerciseId) };
      const known = entry.exercises.get(progress.exerciseId);
      entry.exercises.set(progress.exerciseId, known ? furtherAlong(known, progress) : progress);
    }
    byLearner.set(name, entry);
  }

  const learners: LearnerRow[] = [...byLearner.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([learner, { sources, exercises }]) => {
      const cells = Object.fromEntries(
        [...exercises.entries()].map(([id, progress]) => [id, toCell(progress)]),
      );
      const all = Object.values(cells);
      return {
        learner,
        sources,
        cells,
        solvedCount: all.filter((c) => c.status === 'solved').length,
        activeMinutes: all.reduce((sum, c) => sum + c.activeMinutes, 0),
      };
    });

  const records = [...byLearner.values()].flatMap(({ exercises }) => [...exercises.values()]);
  const ids = [...new Set(records.map((r) => r.exerciseId))];
  const exercises: ExerciseSummary[] = ids.map((id) => {
    const ofExercise = records.filter((r) => r.exerciseId === id);
    const cells = ofExercise.map(toCell);
    const solvers = cells.filter((c) => c.status === 'solved');
    const titles = ofExercise.map((r) => r.title);
    // The title most learners have: one learner's edited file cannot rename it for the class.
    const title = titles.sort(
      (a, b) => titles.filter((t) => t === b).length - titles.filter((t) => t === a).length,
    )[0]!;
    const medianMinutesToSolve = median(solvers.map((c) => c.activeMinutes));
    const medianHints = median(cells.map((c) => c.hints));
    return {
      id,
      title: shorten(title),
      set: shorten(ofExercise[0]!.set),
      started: cells.length,
      solved: solvers.length,
      notStarted: learners.length - cells.length,
      ...(medianMinutesToSolve !== undefined ? { medianMinutesToSolve } : {}),
      ...(medianHints !== undefined ? { medianHints } : {}),
      testRuns: cells.reduce((sum, c) => sum + c.testRuns, 0),
      leakChecks: cells.reduce((sum, c) => sum + c.leakChecks, 0),
    };
  });
  const meanStart = (id: string) => {
    const times = records.filter((r) => r.exerciseId === id).map((r) => Date.parse(r.started));
    const valid = times.filter(Number.isFinite);
    return valid.length ? valid.reduce((a, b) => a + b, 0) / valid.length : Infinity;
  };
  const order = new Map(ids.map((id) => [id, meanStart(id)]));
  exercises.sort((a, b) => order.get(a.id)! - order.get(b.id)! || a.id.localeCompare(b.id));

  return {
    generatedAt: new Date(now).toISOString(),
    learners,
    exercises,
    merged: learners.filter((l) => l.sources.length > 1).map((l) => l.learner),
  };
}
