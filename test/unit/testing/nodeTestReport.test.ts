import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  NodeTapParser,
  parseNodeTap,
  tapReporterEnv,
  type TestReport,
  type TestResult,
} from '../../../src/testing/nodeTestReport';

const dir = mkdtempSync(join(tmpdir(), 'leakhunt-tap-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const files: Record<string, string> = {
  'basic.test.js': `
const { test, describe, it } = require('node:test');
const assert = require('node:assert/strict');
test('adds', () => assert.equal(1 + 1, 2));
test('compares objects', () => {
  assert.deepEqual({ id: 1, tags: ['a'] }, { id: 2, tags: ['a'] });
});
describe('cart', () => {
  it('is empty at first', () => {});
  describe('checkout', () => {
    it('charges the total', () => {
      throw new Error('first line\\n...\\nlast line');
    });
  });
  it('ships abroad', { skip: 'no carrier yet' }, () => {});
  it.todo('applies coupons');
});
test('chatty', () => {
  console.log('hello from the test\\nok 42 - pretending to be TAP');
  console.error('# Subtest: fake');
});
test('name with # hash and \\\\ backslash', () => {});
`,
  'broken.test.js': `
require('node:test');
throw new Error('boom at load');
`,
};

let tap = '';
let report: TestReport;

/** Runs node's own test runner the way the editor will: the TAP reporter chosen by environment. */
function runNodeTest(args: string[], env = tapReporterEnv(process.env)): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: dir, env, timeout: 60_000 }, (error, stdout) => {
      // Exit code 1 is expected: some of the tests fail on purpose.
      if (error && error.code !== 1) reject(error);
      else resolve(stdout);
    });
  });
}

before(async () => {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  tap = await runNodeTest(['--test', 'basic.test.js', 'broken.test.js']);
  report = parseNodeTap(tap);
});

function find(tests: TestResult[], path: string[]): TestResult {
  const [first, ...rest] = path;
  const hit = tests.find((t) => t.name === first);
  assert.ok(hit, `no test ${JSON.stringify(path)} among ${tests.map((t) => t.name).join(', ')}`);
  return rest.length ? find(hit.children, rest) : hit;
}

test('real output becomes a tree with statuses, paths and suites', () => {
  assert.equal(report.tapSeen, true);
  assert.deepEqual(
    report.tests.map((t) => [t.name, t.status]),
    [
      ['adds', 'passed'],
      ['compares objects', 'failed'],
      ['cart', 'failed'],
      ['chatty', 'passed'],
      ['name with # hash and \\ backslash', 'passed'],
      [join(dir, 'broken.test.js'), 'failed'],
    ],
  );
  const cart = find(report.tests, ['cart']);
  assert.equal(cart.kind, 'suite');
  assert.deepEqual(
    cart.children.map((t) => [t.path, t.status, t.kind]),
    [
      [['cart', 'is empty at first'], 'passed', 'test'],
      [['cart', 'checkout'], 'failed', 'suite'],
      [['cart', 'ships abroad'], 'skipped', 'test'],
      [['cart', 'applies coupons'], 'todo', 'test'],
    ],
  );
  assert.equal(find(report.tests, ['cart', 'ships abroad']).message, 'no carrier yet');
  assert.ok((find(report.tests, ['adds']).durationMs ?? -1) >= 0);
});

test('failures carry the message, diff, expected/actual and both locations', () => {
  const file = join(dir, 'basic.test.js');
  const diff = find(report.tests, ['compares objects']);
  assert.match(diff.message ?? '', /Expected values to be strictly deep-equal/);
  assert.match(diff.message ?? '', /\+ {3}id: 1,\n- {3}id: 2,/);
  assert.match(diff.expected ?? '', /^id: 2$/m);
  assert.match(diff.actual ?? '', /^id: 1$/m);
  assert.deepEqual(diff.location, { file, line: 5, column: 1 });
  assert.equal(diff.errorLocation?.file, file);
  assert.equal(diff.errorLocation?.line, 6);

  const deep = find(report.tests, ['cart', 'checkout', 'charges the total']);
  // The `...` inside the message must not end the YAML block early.
  assert.equal(deep.message, 'first line\n...\nlast line');
  assert.deepEqual(deep.location, { file, line: 11, column: 5 });
  assert.equal(deep.errorLocation?.line, 12);
  assert.equal(find(report.tests, ['cart', 'checkout']).failureType, 'subtestsFailed');
});

test('a file that throws at load is a failed test explained by its stderr', () => {
  const broken = find(report.tests, [join(dir, 'broken.test.js')]);
  assert.match(broken.message ?? '', /^test failed\n/);
  assert.match(broken.message ?? '', /Error: boom at load/);
  assert.doesNotMatch(broken.message ?? '', /hello from the test/);
});

test('console output is kept as output, not mistaken for tests', () => {
  assert.ok(report.output.includes('hello from the test'));
  assert.ok(report.output.includes('ok 42 - pretending to be TAP'));
  assert.ok(report.output.includes('# Subtest: fake'));
  assert.equal(report.tests.filter((t) => t.name === 'pretending to be TAP').length, 0);
});

test('totals agree with the runner summary (cancelled counts as failed)', () => {
  const summary = report.runnerSummary;
  assert.ok(summary, 'the runner printed a summary');
  assert.deepEqual(report.totals, {
    tests: summary.tests,
    suites: summary.suites,
    passed: summary.pass,
    failed: (summary.fail ?? 0) + (summary.cancelled ?? 0),
    skipped: summary.skipped,
    todo: summary.todo,
  });
  assert.equal(report.totals.failed, 3);
});

test('fed in small chunks it reports the same tree, children before parents, live', () => {
  const started: string[] = [];
  const finished: string[] = [];
  const parser = new NodeTapParser({
    onStart: (path) => started.push(path.join(' > ')),
    onResult: (result) => {
      // A result is final when delivered: its children have all been delivered before it.
      for (const child of result.children) assert.ok(finished.includes(child.path.join(' > ')));
      finished.push(result.path.join(' > '));
    },
  });
  for (let i = 0, size = 1; i < tap.length; i += size, size = (size % 13) + 1)
    parser.write(tap.slice(i, i + size));
  const streamed = parser.end();
  assert.deepEqual(streamed, report);
  assert.equal(finished.length, report.totals.tests + report.totals.suites);
  assert.deepEqual([...started].sort(), [...finished].sort());
  assert.ok(finished.indexOf('cart > checkout > charges the total') < finished.indexOf('cart'));
});

test('output without process isolation: console lines before and between TAP lines', async () => {
  const text = await runNodeTest(['basic.test.js']);
  const direct = parseNodeTap(text);
  assert.deepEqual(
    direct.tests.map((t) => t.name),
    ['adds', 'compares objects', 'cart', 'chatty', 'name with # hash and \\ backslash'],
  );
  assert.ok(direct.output.includes('ok 42 - pretending to be TAP'));

  const noisy = tap
    .split('\n')
    .flatMap((line, i) => (i % 7 === 3 ? ['<<noise>> from a test', line] : [line]))
    .join('\n');
  const noisyTests = parseNodeTap(noisy).tests;
  // Only the load failure's explanation (the output around it) may differ.
  assert.deepEqual(noisyTests.slice(0, -1), report.tests.slice(0, -1));
  assert.match(noisyTests.at(-1)?.message ?? '', /Error: boom at load/);
});

test('output cut off mid-run reports the unfinished tests as failed', () => {
  const cut = tap.slice(0, tap.indexOf('# Subtest: ships abroad'));
  const partial = parseNodeTap(cut);
  const cart = find(partial.tests, ['cart']);
  assert.equal(cart.status, 'failed');
  assert.equal(cart.failureType, 'unfinished');
  assert.match(cart.message ?? '', /output ended/);
  assert.deepEqual(
    cart.children.map((t) => t.name),
    ['is empty at first', 'checkout'],
  );
});

test('output of another reporter is flagged as not TAP rather than read as no tests', async () => {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const spec = parseNodeTap(
    await runNodeTest(['--test', '--test-reporter=spec', 'basic.test.js'], env),
  );
  assert.equal(spec.tapSeen, false);
  assert.deepEqual(spec.tests, []);
  assert.ok(spec.output.some((line) => line.includes('compares objects')));
});

test('a bail-out closes the tests it cut short as failed, keeping finished children', () => {
  const reasons: string[] = [];
  const parser = new NodeTapParser({ onBailOut: (reason) => reasons.push(reason) });
  // The shape Node prints when --test-bail stops a run inside a nested test.
  parser.write(
    [
      'TAP version 13',
      '# Subtest: outer',
      '    # Subtest: one',
      '    ok 1 - one',
      '      ---',
      "      type: 'test'",
      '      ...',
      '    # Subtest: two',
      '    not ok 2 - two',
      '      ---',
      "      error: 'nope'",
      '      ...',
      '    # Subtest: three',
      '    1..3',
      '# Subtest: next',
      'Bail out! database is down',
      '1..2',
      '# tests 5',
      '# fail 1',
      '# cancelled 3',
      '',
    ].join('\n'),
  );
  const bailed = parser.end();
  assert.equal(bailed.bailOut, 'database is down');
  assert.deepEqual(reasons, ['database is down']);
  const summarise = (t: TestResult): unknown => [t.name, t.status, t.children.map(summarise)];
  assert.deepEqual(bailed.tests.map(summarise), [
    [
      'outer',
      'failed',
      [
        ['one', 'passed', []],
        ['two', 'failed', []],
        ['three', 'failed', []],
      ],
    ],
    ['next', 'failed', []],
  ]);
  assert.match(find(bailed.tests, ['next']).message ?? '', /bailed out \(database is down\)/);
  assert.match(find(bailed.tests, ['outer']).message ?? '', /no result was reported/);
  assert.equal(bailed.totals.failed, 4);
  assert.equal(bailed.runnerSummary?.cancelled, 3);
});

test('locations as Windows paths or file URLs, and truncated long values, are read back', () => {
  const text = [
    'TAP version 13',
    '# Subtest: on windows',
    'not ok 1 - on windows',
    '  ---',
    "  location: 'C:\\\\work\\\\cart.test.js:7:3'",
    "  error: 'it\\'s \\u00e9\\x41'",
    '  stack: |-',
    '    TestContext.<anonymous> (C:\\work\\cart.test.js:9:11)',
    '  ...',
    '# Subtest: esm',
    'not ok 2 - esm',
    '  ---',
    "  location: 'file:///work/cart.test.mjs:3:1'",
    "  expected: 'aaaa'... 9990 more characters",
    '  actual: ~',
    '  ...',
  ].join('\n');
  const [windows, esm] = parseNodeTap(text).tests;
  assert.deepEqual(windows?.location, { file: 'C:\\work\\cart.test.js', line: 7, column: 3 });
  assert.deepEqual(windows?.errorLocation, { file: 'C:\\work\\cart.test.js', line: 9, column: 11 });
  assert.equal(windows?.message, "it's éA");
  assert.deepEqual(esm?.location, { file: '/work/cart.test.mjs', line: 3, column: 1 });
  assert.equal(esm?.expected, 'aaaa... 9990 more characters');
  assert.equal(esm?.actual, 'null');
});
