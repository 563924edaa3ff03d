import assert from 'node:assert/strict';
import { test } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { GradeReport } from '../../../src/learner/grade';
import {
  autogradingOutputLine,
  toAutogradingResult,
  toJUnitXml,
} from '../../../src/learner/gradeFormats';

/** A report with every kind of outcome, and names a learner's tests could give them. */
const report: GradeReport = {
  exerciseId: 'cart',
  title: 'Cart <&> "quoted"',
  workspace: '/work/cart',
  tests: [
    {
      name: 'cart › adds an item',
      status: 'pass',
      points: 1,
      maxPoints: 1,
      durationMs: 12,
      file: 'test/cart.test.js',
      line: 4,
    },
    {
      name: 'keeps < 1 KB per request & no "leak"',
      status: 'fail',
      points: 0,
      maxPoints: 1,
      message: 'expected 1 < 0\n\u001b[31mred\u001b[0m and a form feed \f',
      durationMs: 30,
    },
    { name: 'todo later', status: 'skipped', points: 0, maxPoints: 0 },
  ],
  check: {
    name: "leak check: 'cart' keeps under 1000 B per request",
    status: 'error',
    points: 0,
    maxPoints: 2,
    message: 'the leak check reached no verdict: service cart exited with code 1',
    durationMs: 15_000,
  },
  score: 1,
  maxScore: 4,
  passed: false,
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 16_000,
};

interface Property {
  '@_name': string;
  '@_value': string;
}
interface TestCase {
  '@_classname': string;
  '@_name': string;
  '@_time': string;
  properties: { property: Property[] };
  failure?: { '@_message': string; '#text': string };
  error?: { '@_message': string };
  skipped?: unknown;
}

test('the JUnit report is well-formed XML of the shape CI readers expect, hostile names included', () => {
  const text = toJUnitXml(report);
  assert.equal(XMLValidator.validate(text), true);
  const parsed = new XMLParser({
    ignoreAttributes: false,
    isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
  }).parse(text) as {
    testsuites: {
      '@_tests': string;
      '@_failures': string;
      '@_errors': string;
      '@_skipped': string;
      testsuite: {
        '@_name': string;
        '@_tests': string;
        '@_timestamp': string;
        properties: { property: Property[] };
        testcase: TestCase[];
      }[];
    };
  };
  const suites = parsed.testsuites;
  assert.deepEqual(
    [suites['@_tests'], suites['@_failures'], suites['@_errors'], suites['@_skipped']],
    ['4', '1', '1', '1'],
  );
  assert.equal(suites.testsuite.length, 1);
  const suite = suites.testsuite[0]!;
  assert.equal(suite['@_name'], 'cart');
  assert.equal(suite['@_timestamp'], '2026-01-01T00:00:00.000Z');
  assert.deepEqual(
    suite.properties.property.map((p) => [p['@_name'], p['@_value']]),
    [
      ['title', 'Cart <&> "quoted"'],
      ['score', '1'],
      ['maxScore', '4'],
    ],
  );
  const cases = suite.testcase;
  assert.deepEqual(
    cases.map((c) => [c['@_classname'], c['@_name']]),
    [
      ['cart.tests', 'cart › adds an item'],
      ['cart.tests', 'keeps < 1 KB per request & no "leak"'],
      ['cart.tests', 'todo later'],
      ['cart.leak-check', "leak check: 'cart' keeps under 1000 B per request"],
    ],
  );
  assert.equal(cases[0]!['@_time'], '0.012');
  assert.deepEqual(
    cases[0]!.properties.property.map((p) => p['@_value']),
    ['1', '1'],
  );
  assert.equal(cases[0]!.failure, undefined);
  assert.equal(cases[1]!.failure?.['@_message'], 'expected 1 < 0');
  assert.match(cases[1]!.failure?.['#text'] ?? '', /\ufffd\[31mred/);
  assert.ok('skipped' in cases[2]!);
  assert.match(cases[3]!.error?.['@_message'] ?? '', /no verdict/);
});

test("the autograding result is what GitHub Classroom's reporter adds up: scores out of max_score", () => {
  const result = toAutogradingResult(report, 'node --test test/');
  assert.equal(result.version, 1);
  assert.equal(result.status, 'fail');
  assert.equal(result.max_score, 4);
  assert.deepEqual(
    result.tests.map((t) => [t.name, t.status, t.score]),
    [
      ['cart › adds an item', 'pass', 1],
      ['keeps < 1 KB per request & no "leak"', 'fail', 0],
      ["leak check: 'cart' keeps under 1000 B per request", 'error', 0],
    ],
  );
  assert.equal(
    result.tests.reduce((sum, t) => sum + t.score, 0),
    report.score,
  );
  assert.deepEqual(Object.keys(result.tests[0]!).sort(), [
    'duration',
    'filename',
    'line_no',
    'message',
    'name',
    'score',
    'status',
    'test_code',
  ]);
  assert.equal(result.tests[0]!.filename, 'test/cart.test.js');
  assert.equal(result.tests[0]!.line_no, 4);
  const line = autogradingOutputLine(result);
  assert.match(line, /^result=[A-Za-z0-9+/]+=*\n$/);
  assert.deepEqual(
    JSON.parse(Buffer.from(line.slice('result='.length), 'base64').toString('utf8')),
    result,
  );
});
