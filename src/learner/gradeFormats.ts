import type { GradedItem, GradeReport } from './grade';

/**
 * A grade report in the formats CI systems read: JUnit XML (GitLab, Jenkins, GitHub test
 * reporters, most CI dashboards) and GitHub Classroom's autograding result.
 */

// XML 1.0 cannot carry most control characters at all, not even escaped.
// eslint-disable-next-line no-control-regex
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

function xml(text: string): string {
  return text
    .replace(XML_FORBIDDEN, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function seconds(ms: number | undefined): string {
  return ((ms ?? 0) / 1000).toFixed(3);
}

function testcase(classname: string, item: GradedItem): string {
  const open = `    <testcase classname="${xml(classname)}" name="${xml(item.name)}" time="${seconds(item.durationMs)}"${item.file ? ` file="${xml(item.file)}"` : ''}${item.line ? ` line="${item.line}"` : ''}>`;
  const properties = [
    '      <properties>',
    `        <property name="points" value="${item.points}"/>`,
    `        <property name="maxPoints" value="${item.maxPoints}"/>`,
    '      </properties>',
  ];
  const firstLine = (item.message ?? '').split('\n')[0] ?? '';
  const outcome =
    item.status === 'fail'
      ? [`      <failure message="${xml(firstLine)}">${xml(item.message ?? '')}</failure>`]
      : item.status === 'error'
        ? [`      <error message="${xml(firstLine)}">${xml(item.message ?? '')}</error>`]
        : item.status === 'skipped'
          ? ['      <skipped/>']
          : [];
  return [open, ...properties, ...outcome, '    </testcase>'].join('\n');
}

/**
 * The report as JUnit XML: one `<testsuite>` for the exercise, a `<testcase>` per test (class
 * `<id>.tests`) and one for the leak check (class `<id>.leak-check`); points as properties.
 */
export function toJUnitXml(report: GradeReport): string {
  const items = [...report.tests, report.check];
  const count = (status: GradedItem['status']): number =>
    items.filter((i) => i.status === status).length;
  const totals = `tests="${items.length}" failures="${count('fail')}" errors="${count('error')}" skipped="${count('skipped')}" time="${seconds(report.durationMs)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="leakhunt grade" ${totals}>`,
    `  <testsuite name="${xml(report.exerciseId)}" ${totals} timestamp="${report.startedAt}">`,
    '    <properties>',
    `      <property name="title" value="${xml(report.title)}"/>`,
    `      <property name="score" value="${report.score}"/>`,
    `      <property name="maxScore" value="${report.maxScore}"/>`,
    '    </properties>',
    ...report.tests.map((t) => testcase(`${report.exerciseId}.tests`, t)),
    testcase(`${report.exerciseId}.leak-check`, report.check),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** One entry of an autograding result, as GitHub Classroom's reporter reads it. */
export interface AutogradingTest {
  name: string;
  status: 'pass' | 'fail' | 'error';
  score: number;
  message: string | null;
  test_code: string;
  filename: string;
  line_no: number;
  duration: number;
}

/** The result a GitHub Classroom grader step outputs (base64 of this JSON, as output `result`). */
export interface AutogradingResult {
  version: 1;
  status: 'pass' | 'fail' | 'error';
  max_score: number;
  tests: AutogradingTest[];
}

/**
 * The report in the shape of classroom-resources/autograding-command-grader's `result`, which
 * classroom-resources/autograding-grading-reporter decodes from `<RUNNER>_RESULTS`: the points
 * sent to Classroom are the sum of the tests' `score` out of `max_score`. Tests the exercise
 * skips are left out: they are worth nothing, and the reporter counts every listed test.
 */
export function toAutogradingResult(report: GradeReport, testCode: string): AutogradingResult {
  const tests = [...report.tests, report.check]
    .filter((item) => item.status !== 'skipped')
    .map((item): AutogradingTest => ({
      name: item.name,
      status: item.status as AutogradingTest['status'],
      score: item.points,
      message: item.message ?? null,
      test_code: item === report.check ? `leakhunt check` : testCode,
      filename: item.file ?? '',
      line_no: item.line ?? 0,
      duration: Math.round(item.durationMs ?? 0),
    }));
  const status = tests.some((t) => t.status === 'fail')
    ? 'fail'
    : tests.some((t) => t.status === 'error')
      ? 'error'
      : 'pass';
  return { version: 1, status, max_score: report.maxScore, tests };
}

/** The `result` step output: base64 of the JSON, as the graders write it to `$GITHUB_OUTPUT`. */
export function autogradingOutputLine(result: AutogradingResult): string {
  return `result=${Buffer.from(JSON.stringify(result)).toString('base64')}\n`;
}
