import type { ExerciseManifest } from '../exercises/manifest';
import { runTests, type CommandResult, type SetupOptions } from '../exercises/runner';
import { TestEventParser, type TestReport, type TestResult } from '../exercises/testReport';

/** An exercise's test run with one result per test, as node's runner reported them. */
export interface ReportedTestRun {
  result: CommandResult;
  report: TestReport;
  /** The tests themselves (no suites), in output order; a file that failed to load is one of them. */
  tests: TestResult[];
  passed: number;
  /** Failed tests; at least 1 when the command failed without any test failing (it crashed). */
  failed: number;
  skipped: number;
}

/** The tests without children (suites and tests with subtests only group them). */
export function leafTests(results: readonly TestResult[]): TestResult[] {
  return results.flatMap((result) =>
    result.children.length === 0
      ? result.kind === 'test'
        ? [result]
        : []
      : leafTests(result.children),
  );
}

/**
 * Runs the exercise's test command in `appDir` with Leak Hunt's test reporter (asked for through
 * NODE_OPTIONS, as the editor does, so the manifest's command stays as written) and reads the
 * result of every test.
 */
export async function runReportedTests(
  manifest: ExerciseManifest,
  appDir: string,
  options: SetupOptions = {},
): Promise<ReportedTestRun> {
  const parser = new TestEventParser();
  const result = await runTests(manifest, appDir, {
    ...options,
    env: { ...options.env, ...parser.env(process.env) },
    onOutput: (text) => {
      parser.write(text);
      options.onOutput?.(text);
    },
  });
  const report = parser.end();
  const tests = leafTests(report.tests);
  const count = (status: TestResult['status']): number =>
    tests.filter((t) => t.status === status).length;
  const failed = count('failed');
  return {
    result,
    report,
    tests,
    passed: count('passed'),
    failed: result.exitCode === 0 ? failed : Math.max(failed, 1),
    skipped: count('skipped') + count('todo'),
  };
}
