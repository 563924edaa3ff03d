import { fileURLToPath } from 'node:url';

/**
 * Parser for the TAP that `node --test --test-reporter=tap` prints (Node 20 and 22): nested
 * subtests by indentation, YAML diagnostic blocks, skip/todo directives, bail-outs, and the
 * tests' own console output interleaved. The editor feeds it lines as they arrive and updates
 * its Test Explorer live from the per-test callbacks.
 */

export type TestStatus = 'passed' | 'failed' | 'skipped' | 'todo';

/** A place in a test file; `line` and `column` are 1-based, as Node prints them. */
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
  /** `suite` for `describe` blocks (Node marks them `type: 'suite'`), `test` otherwise. */
  kind: 'test' | 'suite';
  status: TestStatus;
  durationMs?: number;
  /** The failure message (the assertion's text with its diff), or a skip/todo reason. */
  message?: string;
  /** Where the test was declared. */
  location?: TestLocation;
  /** Where it failed: the first stack frame in the test's own file, when there is one. */
  errorLocation?: TestLocation;
  /** An assertion's expected and actual values as Node printed them (YAML-ish text). */
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
  /** Top-level results in output order (with Node ≥ 20 these are the tests of every file). */
  tests: TestResult[];
  totals: TestTotals;
  /** Console output of the tests and lines that are not TAP, in order, without the `# ` prefix. */
  output: string[];
  /** The reason given by a `Bail out!` line, if the run bailed out. */
  bailOut?: string;
  /** The runner's own closing summary (`tests`, `pass`, `fail`, `duration_ms`...), when printed. */
  runnerSummary?: Record<string, number>;
  /**
   * False when no `TAP version` line was seen: the command did not run node's test runner with
   * the TAP reporter (e.g. it chose another reporter), so "no tests" means nothing.
   */
  tapSeen: boolean;
}

/**
 * The environment to run a test command with so that `node --test` reports TAP on stdout,
 * whatever wraps it (`node --test test/`, `npm test`...). The command must not name a reporter
 * itself: node then refuses to start (reporter and destination counts differ) and the report
 * has `tapSeen: false`. Drops NODE_TEST_CONTEXT, which would make a runner started from inside
 * a test report to its parent instead.
 */
export function tapReporterEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...base };
  delete env.NODE_TEST_CONTEXT;
  env.NODE_OPTIONS = [base.NODE_OPTIONS, '--test-reporter=tap'].filter(Boolean).join(' ');
  return env;
}

/** Callbacks for a live run; each fires as soon as the line that completes it was fed. */
export interface TapListener {
  /** A test announced itself (`# Subtest:`); its result comes later. */
  onStart?(path: string[]): void;
  /** A test finished; parents finish after their children. */
  onResult?(result: TestResult): void;
  /** A line of console output or other non-TAP text. */
  onOutput?(line: string): void;
  onBailOut?(reason: string): void;
}

const pointPattern = /^(ok|not ok) \d+(?: (.*))?$/;
const planPattern = /^1\.\.(\d+)\b/;
const subtestPattern = /^# Subtest: (.*)$/;
const bailOutPattern = /^Bail out!\s*(.*)$/;
const summaryPattern =
  /^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) (\d+(?:\.\d+)?)$/;
const yamlKeyPattern = /^([A-Za-z_][\w]*): ?(.*)$/;

interface OpenResult {
  result: TestResult;
  depth: number;
  /** Lines of the YAML block once `---` was seen; undefined before. */
  yaml?: string[];
}

/**
 * Incremental TAP parser: `write` chunks as they arrive (lines may be split across chunks), then
 * `end` for the whole report. Tests that were announced but never finished (a killed or hung
 * run) are reported as failed at `end`, never silently dropped.
 */
export class NodeTapParser {
  private readonly listener: TapListener;
  private partial = '';
  private open: OpenResult | undefined;
  /** Names announced by `# Subtest:` per depth, undefined once that test's result arrived. */
  private readonly announced: (string | undefined)[] = [];
  /** Finished results per depth that still wait for their parent's result line. */
  private readonly pending: TestResult[][] = [[]];
  /** Top-level output since the last top-level result; explains a file that failed to load. */
  private outputSinceTopLevel: string[] = [];
  private readonly output: string[] = [];
  private bailOut: string | undefined;
  private topLevelPlanSeen = false;
  private runnerSummary: Record<string, number> | undefined;
  private ended = false;
  private versionSeen = false;

  constructor(listener: TapListener = {}) {
    this.listener = listener;
  }

  /** Feeds a chunk of the runner's stdout. */
  write(chunk: string): void {
    if (this.ended) throw new Error('NodeTapParser.write called after end()');
    const text = this.partial + chunk;
    const lines = text.split(/\r?\n/);
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.feedLine(line);
  }

  /** Flushes the last line, closes unfinished tests and returns the report. */
  end(): TestReport {
    if (!this.ended) {
      if (this.partial) this.feedLine(this.partial);
      this.partial = '';
      this.finishOpen();
      this.closeUnfinished(
        0,
        this.bailOut === undefined
          ? 'the output ended before its result'
          : `the run bailed out${this.bailOut ? ` (${this.bailOut})` : ''}`,
      );
      this.ended = true;
    }
    const tests = this.pending[0] ?? [];
    return {
      tests,
      totals: countTotals(tests),
      output: this.output,
      tapSeen: this.versionSeen,
      ...(this.bailOut !== undefined ? { bailOut: this.bailOut } : {}),
      ...(this.runnerSummary ? { runnerSummary: this.runnerSummary } : {}),
    };
  }

  private feedLine(rawLine: string): void {
    if (this.open?.yaml && this.feedYaml(rawLine)) return;
    const line = rawLine.trimEnd();
    if (this.open && !this.open.yaml && line === `${' '.repeat(this.open.depth * 4 + 2)}---`) {
      this.open.yaml = [];
      return;
    }
    if (!this.versionSeen) {
      // Node's reporter starts with the version line; anything earlier is console output that
      // raced ahead of it (tests run in the runner's process), even when it looks like TAP.
      if (/^TAP version \d+$/.test(line)) this.versionSeen = true;
      else if (line) this.addOutput(line);
      return;
    }
    const indent = indentOf(line);
    const depth = Math.floor(indent / 4);
    const body = line.slice(indent);
    if (body === '') return;

    const bail = bailOutPattern.exec(body);
    if (bail) {
      this.finishOpen();
      this.bailOut = unescapeTap(bail[1] ?? '');
      this.listener.onBailOut?.(this.bailOut);
      return;
    }
    if (indent % 4 === 0) {
      const point = pointPattern.exec(body);
      if (point) {
        this.finishOpen();
        this.startResult(depth, point[1] === 'ok', (point[2] ?? '').replace(/^- /, ''));
        return;
      }
      const subtest = subtestPattern.exec(body);
      if (subtest) {
        this.finishOpen();
        this.announce(depth, unescapeTap(subtest[1] ?? ''));
        return;
      }
      if (planPattern.test(body)) {
        this.finishOpen();
        if (depth === 0) this.topLevelPlanSeen = true;
        return;
      }
      if (depth === 0 && /^TAP version \d+$/.test(body)) return;
    }
    // Output between a result line and its YAML block must not cut the two apart, so it does
    // not finish the open result.
    if (body.startsWith('#')) {
      const summary = depth === 0 && this.topLevelPlanSeen ? summaryPattern.exec(body) : null;
      if (summary) {
        this.finishOpen();
        this.runnerSummary = { ...this.runnerSummary, [summary[1] ?? '']: Number(summary[2]) };
        return;
      }
      this.addOutput(unescapeTap(body.replace(/^# ?/, '')));
      return;
    }
    // Not TAP at all: a test wrote straight to stdout (e.g. without process isolation).
    this.addOutput(line);
  }

  /** Returns true when the line belonged to the open YAML block. */
  private feedYaml(rawLine: string): boolean {
    const open = this.open;
    if (!open?.yaml) return false;
    const blockIndent = open.depth * 4 + 2;
    const indent = indentOf(rawLine);
    if (indent === blockIndent && rawLine.trimEnd().slice(indent) === '...') {
      this.finishOpen();
      return true;
    }
    if (indent >= blockIndent || rawLine.trim() === '') {
      open.yaml.push(rawLine);
      return true;
    }
    // A shallower line that looks like TAP means the block was cut off; anything else is
    // console output that slipped in between, which must not end the block.
    const body = rawLine.slice(indent);
    if (pointPattern.test(body) || subtestPattern.test(body) || planPattern.test(body)) {
      this.finishOpen();
      return false;
    }
    this.addOutput(rawLine);
    return true;
  }

  private announce(depth: number, name: string): void {
    this.closeUnfinished(depth);
    this.announced[depth] = name;
    this.pending.length = Math.max(this.pending.length, depth + 2);
    this.pending[depth + 1] = [];
    this.listener.onStart?.(this.pathAt(depth, name));
  }

  private startResult(depth: number, ok: boolean, rest: string): void {
    const { name, directive, reason } = splitDirective(rest);
    const status: TestStatus =
      directive === 'SKIP' ? 'skipped' : directive === 'TODO' ? 'todo' : ok ? 'passed' : 'failed';
    this.closeUnfinished(depth + 1);
    const children = this.pending[depth + 1] ?? [];
    this.pending.length = depth + 1;
    const result: TestResult = {
      name,
      path: this.pathAt(depth, name),
      kind: 'test',
      status,
      ...(reason ? { message: reason } : {}),
      children,
    };
    this.announced.length = depth;
    this.open = { result, depth };
  }

  private finishOpen(): void {
    const open = this.open;
    if (!open) return;
    this.open = undefined;
    if (open.yaml) applyDetails(open.result, parseYamlBlock(open.yaml, open.depth * 4 + 4));
    if (open.depth === 0) {
      if (open.result.status === 'failed' && isFileFailure(open.result, open.yaml)) {
        const explanation = this.outputSinceTopLevel.join('\n');
        if (explanation)
          open.result.message = `${open.result.message ?? ''}\n${explanation}`.trim();
      }
      this.outputSinceTopLevel = [];
    }
    this.deliver(open.depth, open.result);
  }

  private deliver(depth: number, result: TestResult): void {
    (this.pending[depth] ??= []).push(result);
    this.listener.onResult?.(result);
  }

  /**
   * Reports every test announced at `fromDepth` or deeper that has no result line as failed,
   * innermost first, with the results already collected as its children. Runs when the output
   * ends (a killed or hung run), bails out, or moves on past an unfinished test.
   */
  private closeUnfinished(fromDepth: number, why = 'no result was reported for it'): void {
    const deepest = Math.max(this.announced.length, this.pending.length - 1) - 1;
    for (let depth = deepest; depth >= fromDepth; depth--) {
      const announced = this.announced[depth];
      const children = this.pending[depth + 1] ?? [];
      if (announced === undefined && children.length === 0) continue;
      const name = announced ?? '(unnamed)';
      const result: TestResult = {
        name,
        path: this.pathAt(depth, name),
        kind: 'test',
        status: 'failed',
        message: `The test did not finish: ${why}.`,
        failureType: 'unfinished',
        children,
      };
      this.pending.length = depth + 1;
      this.announced.length = depth;
      this.deliver(depth, result);
    }
  }

  private pathAt(depth: number, name: string): string[] {
    const path: string[] = [];
    for (let i = 0; i < depth; i++) path.push(this.announced[i] ?? '(unnamed)');
    path.push(name);
    return path;
  }

  private addOutput(line: string): void {
    this.output.push(line);
    this.outputSinceTopLevel.push(line);
    this.listener.onOutput?.(line);
  }
}

/** Parses a complete TAP text at once; the same as feeding it to a `NodeTapParser`. */
export function parseNodeTap(text: string): TestReport {
  const parser = new NodeTapParser();
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

function indentOf(line: string): number {
  let i = 0;
  while (line[i] === ' ') i++;
  return i;
}

/** Undoes Node's `tapEscape` for the characters it escapes (`\#`, `\\`); other escapes stay. */
function unescapeTap(text: string): string {
  return text.replace(/\\([\\#])/g, '$1');
}

/** Splits `name # SKIP reason` at the first unescaped `#` (Node escapes every `#` in names). */
function splitDirective(rest: string): {
  name: string;
  directive?: 'SKIP' | 'TODO';
  reason?: string;
} {
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '\\') i++;
    else if (rest[i] === '#') {
      const match = /^#\s*(SKIP|TODO|EXPECTED FAILURE|FLAKY)\b\s*(.*)$/i.exec(rest.slice(i));
      if (!match) break;
      const name = unescapeTap(rest.slice(0, i).trimEnd());
      const directive = (match[1] ?? '').toUpperCase();
      // Expected failures and flaky-but-passed tests count as their ok/not ok says.
      if (directive !== 'SKIP' && directive !== 'TODO') return { name };
      const reason = unescapeTap(match[2] ?? '').trim();
      return { name, directive, ...(reason ? { reason } : {}) };
    }
  }
  return { name: unescapeTap(rest) };
}

/** A scalar as text (quoted strings decoded), `~` as null, a nested map as its raw lines. */
type YamlValue = string | null | { raw: string };

/**
 * Reads the top-level keys of one YAML diagnostic block as Node's reporter writes it: quoted
 * scalars (util.inspect style), `|-` block scalars, `~`, and nested maps (kept as raw text).
 */
function parseYamlBlock(lines: string[], valueIndent: number): Map<string, YamlValue> {
  const keyIndent = valueIndent - 2;
  const values = new Map<string, YamlValue>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (indentOf(line) !== keyIndent) continue;
    const entry = yamlKeyPattern.exec(line.slice(keyIndent));
    if (!entry) continue;
    const key = entry[1] ?? '';
    const inline = (entry[2] ?? '').trim();
    if (inline === '|-' || inline === '|' || inline === '') {
      const block: string[] = [];
      while (i + 1 < lines.length) {
        const next = lines[i + 1] ?? '';
        if (next.trim() !== '' && indentOf(next) <= keyIndent) break;
        block.push(next.slice(Math.min(valueIndent, indentOf(next))));
        i++;
      }
      if (inline === '') {
        while (block.length && block[block.length - 1] === '') block.pop();
        values.set(key, { raw: block.join('\n') });
      } else values.set(key, block.join('\n'));
    } else values.set(key, parseScalar(inline));
  }
  return values;
}

function parseScalar(text: string): YamlValue {
  if (text === '~') return null;
  const quote = text[0];
  if (quote === "'" || quote === '"' || quote === '`') {
    const decoded = decodeQuoted(text, quote);
    // util.inspect cuts long strings: `'aaa'... 12 more characters` keeps the remark.
    if (decoded) return decoded.value + text.slice(decoded.end);
  }
  // Numbers, booleans, bigints and symbols stay as printed (no precision lost in a diff).
  return text;
}

const simpleEscapes = new Map([
  ['n', '\n'],
  ['t', '\t'],
  ['r', '\r'],
  ['b', '\b'],
  ['f', '\f'],
  ['v', '\v'],
  ['0', '\0'],
]);

/** Decodes a JavaScript string literal as `util.inspect` prints it; `end` is after the quote. */
function decodeQuoted(text: string, quote: string): { value: string; end: number } | undefined {
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const c = text[i] ?? '';
    if (c === quote) return { value, end: i + 1 };
    if (c !== '\\') {
      value += c;
      continue;
    }
    const e = text[++i] ?? '';
    const simple = simpleEscapes.get(e);
    if (simple !== undefined) value += simple;
    else if (e === 'x') {
      value += String.fromCharCode(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (e === 'u' && text[i + 1] === '{') {
      const close = text.indexOf('}', i);
      value += String.fromCodePoint(parseInt(text.slice(i + 2, close), 16));
      i = close;
    } else if (e === 'u') {
      value += String.fromCharCode(parseInt(text.slice(i + 1, i + 5), 16));
      i += 4;
    } else value += e;
  }
  return undefined;
}

function applyDetails(result: TestResult, details: Map<string, YamlValue>): void {
  const duration = details.get('duration_ms');
  if (typeof duration === 'string' && Number.isFinite(Number(duration)))
    result.durationMs = Number(duration);
  if (details.get('type') === 'suite') result.kind = 'suite';
  const failureType = details.get('failureType');
  if (typeof failureType === 'string') result.failureType = failureType;
  const location = details.get('location');
  if (typeof location === 'string') {
    const parsed = parseLocation(location);
    if (parsed) result.location = parsed;
  }
  if (result.status !== 'failed') return;
  const error = details.get('error');
  if (error !== undefined) result.message = textOf(error);
  const stack = details.get('stack');
  if (typeof stack === 'string') {
    const where = firstFrameIn(stack, result.location?.file);
    if (where) result.errorLocation = where;
  }
  for (const key of ['expected', 'actual'] as const) {
    const value = details.get(key);
    if (value !== undefined) result[key] = textOf(value);
  }
}

function textOf(value: YamlValue): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.raw;
  return value;
}

/** `/abs/file.js:12:3`, `C:\dir\file.js:12:3` or `file:///abs/file.mjs:12:3`. */
function parseLocation(text: string): TestLocation | undefined {
  const match = /^(.*):(\d+):(\d+)$/.exec(text.trim());
  if (!match) return undefined;
  let file = match[1] ?? '';
  if (file.startsWith('file://')) {
    try {
      file = fileURLToPath(file);
    } catch {
      return undefined;
    }
  }
  return { file, line: Number(match[2]), column: Number(match[3]) };
}

/** The first stack frame in `file` (the test file), e.g. `TestContext.<anonymous> (/a.js:4:40)`. */
function firstFrameIn(stack: string, file: string | undefined): TestLocation | undefined {
  if (!file) return undefined;
  for (const frame of stack.split('\n')) {
    const inParens = /\(([^()]+:\d+:\d+)\)\s*$/.exec(frame);
    const where = parseLocation(inParens ? (inParens[1] ?? '') : frame.replace(/^async /, ''));
    if (where && where.file === file) return where;
  }
  return undefined;
}

/** A top-level failure of a whole file (it threw at load or exited): Node says only "test failed". */
function isFileFailure(result: TestResult, yaml: string[] | undefined): boolean {
  return (
    result.children.length === 0 &&
    (yaml?.some((line) => /^\s*exitCode:/.test(line)) === true || result.message === 'test failed')
  );
}
