/**
 * The shape of an exercise's `exercise.json`. The JSON Schema in `schemas/exercise.schema.json`
 * describes the same shape for validation and editor completion; a unit test keeps them in step.
 *
 * Paths are relative to the exercise folder, except service entries and test commands, which run
 * inside the learner's copy of `app` (the folder materialised into their workspace).
 */
export interface ExerciseManifest {
  id: string;
  title: string;
  summary: string;
  difficulty: 'easy' | 'medium' | 'hard';
  /** Expected time to solve, in minutes (a single figure or a range's upper end). */
  minutes: number;
  /** Markdown file: the bug report, memory pattern, symptoms and task. */
  scenario: string;
  /** Folder with the code the learner gets (services and tests); default `app`. */
  app?: string;
  services: ServiceSpec[];
  load: LoadProfile;
  /**
   * What the pristine app holds: planted leaks (default) or none, where the learner proves there
   * is no leak without breaking what the tests pin.
   */
  expect?: 'leak' | 'no-leak';
  /**
   * General hints (markdown), shown before any leak's ladder. Never copied into the learner's
   * workspace. An exercise of the older shape (no `leaks`) has only these, at least three.
   */
  hints?: string[];
  /** The planted leaks, each with the solution files that fix it and its own hint ladder. */
  leaks?: LeakSpec[];
  /** Markdown file shown once the exercise is solved: what leaked, why, the fix options. */
  debrief?: string;
  tests: TestSpec;
  check: CheckSpec;
  /** Optional command run once in the learner's copy before anything else (e.g. a build). */
  setup?: CommandSpec;
  /**
   * Folder overlaid on `app` to get the reference fix. Never copied to the learner. Required
   * unless `expect` is `no-leak`.
   */
  solution?: string;
  /** What `leakhunt grade` awards; optional. */
  points?: PointsSpec;
}

/** One planted leak. Its id is for validation and progress; learners see "leak N" instead. */
export interface LeakSpec {
  /** Kebab-case, unique within the exercise. */
  id: string;
  /**
   * Files under the solution folder whose solution version fixes this leak. The leaks' sets are
   * disjoint and together name every file of the solution folder.
   */
  fixedBy: string[];
  hints: LeakHints;
  /** Merged over the top-level `check`, for a leak the main request mix cannot show. */
  check?: Partial<CheckSpec>;
}

/** A leak's hint ladder (markdown); each rung stops short of the next. */
export interface LeakHints {
  /** A symptom to look at or a tool to use. */
  nudge: string;
  /** Where to look: the file or area, the retainer to follow. */
  where: string;
  /** How to fix it, with the trade-off. */
  fix: string;
}

/** Points for grading: each passing test earns `perTest`, a leak check that passes earns `check`. */
export interface PointsSpec {
  /** Default 1. */
  perTest?: number;
  /** Default: as much as all the tests together. */
  check?: number;
}

export interface ServiceSpec {
  /** Lower-case name; siblings see this service's URL as `<NAME>_URL`. */
  name: string;
  /** Entry file relative to the app folder. */
  entry: string;
  args?: string[];
  env?: Record<string, string>;
  /** Options for `node` itself, e.g. `--max-old-space-size=64`. */
  nodeArgs?: string[];
  /** Path answered with 2xx once the service is ready; without it, an accepted connection is enough. */
  health?: string;
}

export interface LoadRequest {
  /** Name of the service the request goes to. */
  service: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path template; `{n}` becomes the request's sequence number, `{rand}` a random integer. */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Relative weight in the mix; default 1. */
  weight?: number;
}

export interface LoadProfile {
  requests: LoadRequest[];
  /** Requests per second; unlimited when absent. */
  rate?: number;
  concurrency?: number;
  /** Total requests for one load run; default 2000. */
  count?: number;
  durationSeconds?: number;
}

export interface CommandSpec {
  command: string;
  /** Seconds before the command is stopped and reported as timed out. */
  timeoutSeconds?: number;
}

export type TestSpec = CommandSpec;

/** How `leakhunt check` decides leak / no leak: deterministic, counted in requests. */
export interface CheckSpec {
  /** The service whose heap is measured. */
  service: string;
  /** Request mix; defaults to `load.requests`. */
  requests?: LoadRequest[];
  /** Requests sent before the first measurement. */
  warmup: number;
  /**
   * Requests per load of the check (three loads follow the warm-up); at least
   * `minRequestsPerRung(thresholdBytesPerRequest)`, or no verdict can be drawn.
   */
  step: number;
  /** Heap growth per request above which the verdict is "leak". */
  thresholdBytesPerRequest: number;
}

/** `set.json`: an ordered collection of exercises shipped or packed together. */
export interface ExerciseSet {
  name: string;
  version: string;
  author: string;
  description?: string;
  /** Exercise folder names, in the order learners should take them. */
  exercises: string[];
}
