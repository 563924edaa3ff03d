/**
 * The learner's progress, as stored in `progress.json` and exported for instructors. Plain,
 * JSON-able data; every time is an ISO-8601 string in UTC. Field names are a stable contract:
 * bump `PROGRESS_SCHEMA_VERSION` (and migrate) when they change.
 */

export const PROGRESS_SCHEMA_VERSION = 1;

/** Milliseconds since the epoch; injected so tests control time. */
export type Clock = () => number;

export interface HintReveal {
  /** 0-based index into its ladder: the general hints, or the leak's nudge, where, fix. */
  index: number;
  /**
   * The leak whose ladder it is, 1-based in manifest order (its number, not its id, which a
   * learner must not see); absent for a general hint. Files written before per-leak hints have
   * none: every hint was a general one then.
   */
  leak?: number;
  at: string;
}

export interface TestRunRecord {
  at: string;
  passed: number;
  failed: number;
  skipped: number;
}

export interface LeakCheckRecord {
  at: string;
  /** `error` when the check could not reach a verdict (service crashed, timed out...). */
  verdict: 'leak' | 'no-leak' | 'inconclusive' | 'error';
  bytesPerRequest?: number;
}

export interface ExerciseProgress {
  exerciseId: string;
  /** Name of the set the exercise came from (imported packs are their own sets). */
  set: string;
  title: string;
  started: string;
  /** When tests and leak check were first both green; absent until then. */
  solved?: string;
  /** Seconds of activity, each heartbeat gap counted up to the idle cap. */
  activeSeconds: number;
  /** The last activity heartbeat, so the next one knows the gap (shared by all windows). */
  lastActivity?: string;
  hints: HintReveal[];
  /** When each heap snapshot was taken. */
  snapshots: string[];
  testRuns: TestRunRecord[];
  leakChecks: LeakCheckRecord[];
}

/** The whole `progress.json`. */
export interface ProgressFile {
  schemaVersion: typeof PROGRESS_SCHEMA_VERSION;
  exercises: Record<string, ExerciseProgress>;
}

/** Default gap beyond which a learner is taken to have walked away. */
export const DEFAULT_IDLE_CAP_SECONDS = 5 * 60;

export function emptyProgressFile(): ProgressFile {
  return { schemaVersion: PROGRESS_SCHEMA_VERSION, exercises: {} };
}

/** A fresh record for an exercise first seen now. */
export function newExerciseProgress(
  exerciseId: string,
  now: number,
  about: { set?: string; title?: string } = {},
): ExerciseProgress {
  return {
    exerciseId,
    set: about.set ?? '',
    title: about.title ?? exerciseId,
    started: iso(now),
    activeSeconds: 0,
    hints: [],
    snapshots: [],
    testRuns: [],
    leakChecks: [],
  };
}

export function iso(time: number): string {
  return new Date(time).toISOString();
}

/**
 * Counts one activity heartbeat: the time since the previous one, but at most `idleCapSeconds`,
 * so a learner who walks away does not accrue time. A clock that went backwards counts nothing.
 */
export function recordActivity(
  progress: ExerciseProgress,
  now: number,
  idleCapSeconds = DEFAULT_IDLE_CAP_SECONDS,
): void {
  if (progress.lastActivity !== undefined) {
    const gapSeconds = (now - Date.parse(progress.lastActivity)) / 1000;
    if (gapSeconds > 0) progress.activeSeconds += Math.min(gapSeconds, idleCapSeconds);
  }
  if (progress.lastActivity === undefined || now > Date.parse(progress.lastActivity))
    progress.lastActivity = iso(now);
}

/** Sets `solved` the first time the latest test run and the latest leak check are both green. */
export function markSolvedIfGreen(progress: ExerciseProgress, now: number): boolean {
  if (progress.solved !== undefined) return false;
  const tests = progress.testRuns.at(-1);
  const check = progress.leakChecks.at(-1);
  const green =
    tests !== undefined && tests.failed === 0 && tests.passed > 0 && check?.verdict === 'no-leak';
  if (green) progress.solved = iso(now);
  return green;
}

/**
 * Checks that parsed JSON is a progress file this version can use. Returns the problems found
 * (empty when valid); anything else is treated as corrupt and kept aside, never half-loaded.
 */
export function findProblems(data: unknown): string[] {
  if (!isObject(data)) return ['not a JSON object'];
  if (data.schemaVersion !== PROGRESS_SCHEMA_VERSION)
    return [`schemaVersion is ${JSON.stringify(data.schemaVersion)}`];
  if (!isObject(data.exercises)) return ['exercises is not an object'];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(data.exercises)) {
    const where = `exercises[${JSON.stringify(key)}]`;
    if (!isObject(value)) {
      problems.push(`${where} is not an object`);
      continue;
    }
    if (value.exerciseId !== key) problems.push(`${where}.exerciseId does not match its key`);
    for (const field of ['set', 'title', 'started'] as const)
      if (typeof value[field] !== 'string') problems.push(`${where}.${field} is not a string`);
    for (const field of ['solved', 'lastActivity'] as const)
      if (value[field] !== undefined && typeof value[field] !== 'string')
        problems.push(`${where}.${field} is not a string`);
    if (typeof value.activeSeconds !== 'number' || !(value.activeSeconds >= 0))
      problems.push(`${where}.activeSeconds is not a non-negative number`);
    const lists = {
      hints: (h: unknown) =>
        isObject(h) &&
        Number.isInteger(h.index) &&
        typeof h.at === 'string' &&
        (h.leak === undefined || (Number.isInteger(h.leak) && (h.leak as number) >= 1)),
      snapshots: (s: unknown) => typeof s === 'string',
      testRuns: (r: unknown) =>
        isObject(r) &&
        typeof r.at === 'string' &&
        [r.passed, r.failed, r.skipped].every((n) => Number.isInteger(n)),
      leakChecks: (c: unknown) =>
        isObject(c) &&
        typeof c.at === 'string' &&
        ['leak', 'no-leak', 'inconclusive', 'error'].includes(c.verdict as string) &&
        (c.bytesPerRequest === undefined || typeof c.bytesPerRequest === 'number'),
    };
    for (const [field, valid] of Object.entries(lists)) {
      const list = value[field];
      if (!Array.isArray(list) || !list.every(valid))
        problems.push(`${where}.${field} is not a list of valid entries`);
    }
  }
  return problems;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
