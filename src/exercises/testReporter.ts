import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import {
  TEST_TAG_VARIABLE,
  type TestEventBody,
  type TestLocation,
  type TestResult,
} from './testReport';

// Entry of dist/testReporter.js (out-*/src/exercises/testReporter.js in tests): a reporter for
// node's test runner (`--test-reporter=<file URL>`, see testReporterEnv). It runs inside the
// exercise's own `node --test` process, so it uses Node built-ins only, and prints one JSON line
// per event for TestEventParser. Only the shapes Leak Hunt reads are typed here.

interface TestEventData {
  name?: string;
  nesting?: number;
  file?: string;
  line?: number;
  column?: number;
  message?: string;
  skip?: string | boolean;
  todo?: string | boolean;
  details?: { duration_ms?: number; type?: string; error?: TestFailure };
}

/** Node's ERR_TEST_FAILURE: the test's own error is its cause. */
interface TestFailure extends Error {
  failureType?: string;
  /** Set when the file's own process failed (it threw at load or exited). */
  exitCode?: number;
}

/** Lines of a file's stderr kept to explain a file that failed to load. */
const STDERR_LINES = 40;

async function* leakHuntReporter(
  source: AsyncIterable<{ type: string; data: TestEventData }>,
): AsyncGenerator<string> {
  // Per file: the names of the tests started and not finished, by nesting.
  const paths = new Map<string, string[]>();
  const stderr = new Map<string, string[]>();
  const tag = process.env[TEST_TAG_VARIABLE] ?? '';
  // The tag first: TestEventParser knows an event line by how it starts.
  const line = (body: TestEventBody): string => `${JSON.stringify({ leakhunt: tag, ...body })}\n`;
  const pathOf = (data: TestEventData): string[] => {
    const names = paths.get(data.file ?? '') ?? [];
    paths.set(data.file ?? '', names);
    names.length = data.nesting ?? 0;
    names.push(data.name ?? '');
    return [...names];
  };
  for await (const { type, data } of source) {
    switch (type) {
      case 'test:start':
        yield line({
          event: 'start',
          file: data.file,
          path: pathOf(data),
          location: where(data),
        });
        break;
      case 'test:pass':
      case 'test:fail':
        yield line({
          event: 'result',
          file: data.file,
          path: pathOf(data),
          result: resultOf(type === 'test:pass', data, stderr.get(data.file ?? '')),
        });
        break;
      case 'test:stderr': {
        const kept = stderr.get(data.file ?? '') ?? [];
        kept.push(...String(data.message).replace(/\n$/, '').split('\n'));
        stderr.set(data.file ?? '', kept.slice(-STDERR_LINES));
        yield line({ event: 'output', text: String(data.message) });
        break;
      }
      case 'test:stdout':
      case 'test:diagnostic':
        yield line({ event: 'output', text: String(data.message) });
        break;
    }
  }
}

function resultOf(
  passed: boolean,
  data: TestEventData,
  fileStderr: string[] | undefined,
): Omit<TestResult, 'children' | 'path' | 'name'> {
  const result: Omit<TestResult, 'children' | 'path' | 'name'> = {
    kind: data.details?.type === 'suite' ? 'suite' : 'test',
    status: 'passed',
    durationMs: data.details?.duration_ms,
    location: where(data),
  };
  const reason = (value: string | boolean): string | undefined =>
    typeof value === 'string' && value ? value : undefined;
  if (data.todo !== undefined && data.todo !== false) {
    result.status = 'todo';
    result.message = reason(data.todo);
  } else if (data.skip !== undefined && data.skip !== false) {
    result.status = 'skipped';
    result.message = reason(data.skip);
  } else if (!passed) {
    result.status = 'failed';
    const failure = data.details?.error;
    const cause: unknown = failure?.cause;
    result.failureType = failure?.failureType;
    result.message = cause instanceof Error ? cause.message : failure?.message;
    if (failure?.exitCode !== undefined && fileStderr?.length)
      result.message = `${result.message ?? ''}\n${fileStderr.join('\n')}`;
    if (cause instanceof Error) {
      if ('expected' in cause && 'actual' in cause) {
        result.expected = inspect(cause.expected, { depth: 6 });
        result.actual = inspect(cause.actual, { depth: 6 });
      }
      result.errorLocation = firstFrameIn(cause.stack ?? '', data.file);
    }
  }
  return result;
}

function where(data: TestEventData): TestLocation | undefined {
  if (!data.file || data.line === undefined || data.column === undefined) return undefined;
  return { file: data.file, line: data.line, column: data.column };
}

/** The first stack frame in `file` (the test file), e.g. `TestContext.<anonymous> (/a.js:4:40)`. */
function firstFrameIn(stack: string, file: string | undefined): TestLocation | undefined {
  if (!file) return undefined;
  for (const frame of stack.split('\n')) {
    const match = /^\s+at (?:.*\()?(.+?):(\d+):(\d+)\)?$/.exec(frame);
    if (!match) continue;
    let path = match[1] ?? '';
    if (path.startsWith('async ')) path = path.slice(6);
    if (path.startsWith('file://')) path = fileURLToPath(path);
    if (path === file) return { file, line: Number(match[2]), column: Number(match[3]) };
  }
  return undefined;
}

export = leakHuntReporter;
