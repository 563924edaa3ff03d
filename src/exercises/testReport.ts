import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Per-test results of an exercise's `node --test` run. Node's test runner hands its events to
 * Leak Hunt's own reporter (testReporter.ts, dist/testReporter.js), which prints one JSON line
 * per event; this module reads them back into a tree, live, so the editor's Test Explorer
 * updates per test and the CLI can grade per test.
 */

export type TestStatus = 'passed' | 'failed' | 'skipped' | 'todo';

/** A place in a test file; `line` and `column` are 1-based, as Node reports them. */
export interface TestLocation {
  file: string;
  line: number;
  column: number;
}

/** One finished test or suite, with its subtests. */
export interface TestResult {
  name: string;
  /** Names from the top-level test down to this one (the last element is `name`). */
  path: string[];
  /** `suite` for `describe` blocks, `test` otherwise. */
  kind: 'test' | 'suite';
  status: TestStatus;
  durationMs?: number;
  /** The failure message (the assertion's text with its diff), or a skip/todo reason. */
  message?: string;
  /** Where the test was declared. */
  location?: TestLocation;
  /** Where it failed: the first stack frame in the test's own file, when there is one. */
  errorLocation?: TestLocation;
  /** An assertion's expected and actual values, as `util.inspect` shows them. */
  expected?: string;
  actual?: string;
  /** Node's classification of the failure, e.g. `testCodeFailure`, `subtestsFailed`, `cancelledByParent`. */
  failureType?: string;
  children: TestResult[];
}

/** Counts like Node's own summary: `tests` excludes suites; each test is in exactly one status. */
export interface TestTotals {
  tests: number;
  suites: number;
  passed: number;
  failed: number;
  skipped: number;
  todo: number;
}

export interface TestReport {
  /** Top-level results in output order (with process isolation, the tests of every file). */
  tests: TestResult[];
  totals: TestTotals;
  /** Console output of the tests, the runner's diagnostics and other lines, in order. */
  output: string[];
  /**
   * False when no line came from Leak Hunt's reporter: the command did not run node's test
   * runner, or chose another reporter itself, so "no tests" means nothing.
   */
  reporterSeen: boolean;
}

/** What one line of the reporter says. */
export type TestEventBody =
  | { event: 'start'; file?: string; path: string[]; location?: TestLocation }
  | {
      event: 'result';
      file?: string;
      path: string[];
      result: Omit<TestResult, 'children' | 'path' | 'name'>;
    }
  | { event: 'output'; text: string };

/**
 * One line the reporter prints: JSON whose first key is the run's tag, so that console output
 * of the tests (which shares stdout when tests run in the runner's own process, or with another
 * reporter) is never mistaken for an event, even when it looks like one.
 */
export type TestEvent = { leakhunt: string } & TestEventBody;

type ResultFields = Extract<TestEventBody, { event: 'result' }>['result'];

/** The environment variable that hands the run's tag to the reporter. */
export const TEST_TAG_VARIABLE = 'LEAKHUNT_TEST_TAG';

/** Callbacks for a live run; each fires as soon as the line that completes it was fed. */
export interface TestListener {
  /** A test started; its result comes later. */
  onStart?(path: string[]): void;
  /** A test finished; parents finish after their children. */
  onResult?(result: TestResult): void;
  /** A line of console output or other text. */
  onOutput?(line: string): void;
}

/** Results waiting for their parent, and the tests started but not finished, of one file. */
interface FileState {
  /** Per depth, the finished results whose parent has not finished yet. */
  waiting: TestResult[][];
  /** Per depth, the path of the test started there and not finished yet. */
  open: (string[] | undefined)[];
}

/**
 * Reads the reporter's lines incrementally: run the command with {@link env}, `write` chunks of
 * its output as they arrive (lines may be split across chunks), then `end` for the whole
 * report. Tests that started but never finished (a killed or hung run) are reported as failed
 * at `end`, never silently dropped.
 */
export class TestEventParser {
  private readonly prefix: string;
  private partial = '';
  private readonly files = new Map<string, FileState>();
  private readonly tests: TestResult[] = [];
  private readonly output: string[] = [];
  private reporterSeen = false;

  /** @param tag marks this run's event lines; a fresh random one unless replaying a run. */
  constructor(
    private readonly listener: TestListener = {},
    readonly tag = randomBytes(9).toString('base64url'),
  ) {
    this.prefix = `{"leakhunt":${JSON.stringify(tag)},`;
  }

  /**
   * What to add to the environment of a test command so that `node --test` reports through
   * Leak Hunt's reporter with this run's tag, whatever wraps it (`node --test test/`, `npm
   * test`...): the reporter is named by file URL in NODE_OPTIONS (no quoting issues with spaces
   * or Windows paths), after the base's own NODE_OPTIONS. The command must not name a reporter
   * itself: node then refuses to start and `reporterSeen` stays false.
   *
   * @param reporterFile dist/testReporter.js next to the bundle that runs this; in tests, the
   *   transpiled src/exercises/testReporter.js next to this module.
   */
  env(
    base: NodeJS.ProcessEnv,
    reporterFile = join(__dirname, 'testReporter.js'),
  ): Record<string, string> {
    const reporter = `--test-reporter=${pathToFileURL(reporterFile).href}`;
    return {
      NODE_OPTIONS: [base.NODE_OPTIONS, reporter].filter(Boolean).join(' '),
      [TEST_TAG_VARIABLE]: this.tag,
    };
  }

  write(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line.endsWith('\r') ? line.slice(0, -1) : line);
  }

  end(): TestReport {
    if (this.partial) this.line(this.partial);
    this.partial = '';
    for (const state of this.files.values()) {
      for (let depth = state.open.length - 1; depth >= 0; depth--) {
        const path = state.open[depth];
        if (!path) continue;
        this.finish(state, path, {
          kind: 'test',
          status: 'failed',
          failureType: 'unfinished',
          message: 'no result was reported: the output ended before this test finished',
        });
      }
    }
    return {
      tests: this.tests,
      totals: countTotals(this.tests),
      output: this.output,
      reporterSeen: this.reporterSeen,
    };
  }

  private line(line: string): void {
    const event = line.startsWith(this.prefix) ? parseEvent(line) : undefined;
    if (!event) return this.emitOutput(line);
    this.reporterSeen = true;
    switch (event.event) {
      case 'output':
        for (const text of event.text.replace(/\n$/, '').split('\n')) this.emitOutput(text);
        return;
      case 'start': {
        const state = this.stateOf(event.file);
        state.open[event.path.length - 1] = event.path;
        this.listener.onStart?.(event.path);
        return;
      }
      case 'result':
        this.finish(this.stateOf(event.file), event.path, event.result);
        return;
    }
  }

  private finish(state: FileState, path: string[], fields: ResultFields): void {
    const depth = path.length - 1;
    const result: TestResult = {
      name: path[depth] ?? '',
      path,
      ...fields,
      children: state.waiting[depth + 1] ?? [],
    };
    state.waiting.length = depth + 1;
    state.open.length = depth;
    if (depth === 0) this.tests.push(result);
    else (state.waiting[depth] ??= []).push(result);
    this.listener.onResult?.(result);
  }

  private stateOf(file = ''): FileState {
    let state = this.files.get(file);
    if (!state) this.files.set(file, (state = { waiting: [], open: [] }));
    return state;
  }

  private emitOutput(line: string): void {
    this.output.push(line);
    this.listener.onOutput?.(line);
  }
}

function parseEvent(line: string): TestEvent | undefined {
  try {
    const event = JSON.parse(line) as TestEvent;
    return typeof event === 'object' && event !== null ? event : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a complete output of a run tagged `tag`; the same as feeding it to a `TestEventParser`. */
export function parseTestEvents(text: string, tag: string): TestReport {
  const parser = new TestEventParser({}, tag);
  parser.write(text);
  return parser.end();
}

/** Counts a result tree the way Node's closing summary does. */
export function countTotals(tests: readonly TestResult[]): TestTotals {
  const totals: TestTotals = { tests: 0, suites: 0, passed: 0, failed: 0, skipped: 0, todo: 0 };
  const visit = (result: TestResult): void => {
    if (result.kind === 'suite') totals.suites++;
    else {
      totals.tests++;
      totals[result.status]++;
    }
    result.children.forEach(visit);
  };
  tests.forEach(visit);
  return totals;
}
