import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  TestEventParser,
  parseTestEvents,
  type TestReport,
  type TestResult,
} from '../../../src/exercises/testReport';

// Node's test runner reports through Leak Hunt's reporter (this build's
// src/exercises/testReporter.js, dist/testReporter.js in the extension), chosen by environment
// as the editor and the CLI do, and the parser reads its lines back.

const dir = mkdtempSync(join(tmpdir(), 'leakhunt-test-report-'));
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
  console.log('hello from the test\\n{"leakhunt":"","event":"start","path":["pretending"]}');
  console.error('# Subtest: fake');
});
test('name with # hash and \\\\ backslash', () => {});
`,
  'broken.test.js': `
require('node:test');
throw new Error('boom at load');
`,
  'module.test.mjs': `
import { test } from 'node:test';
import assert from 'node:assert/strict';
test('esm fails', async () => {
  await Promise.resolve();
  assert.equal('a', 'b');
});
`,
};

let text = '';
let report: TestReport;

// One run's tag: every run below reports with it, so their outputs can be compared.
const tagged = new TestEventParser();
const tag = tagged.tag;

/** This process's environment without the runner's marker, as runCommand passes it on. */
function plainEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  // Set by the runner of this test: a `node --test` started with it reports to its parent.
  delete env.NODE_TEST_CONTEXT;
  return env;
}

/** Runs node's own test runner with Leak Hunt's reporter chosen by environment. */
function runNodeTest(
  args: string[],
  env = { ...plainEnv(), ...tagged.env(process.env) },
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: dir, env, timeout: 60_000 }, (error, stdout) => {
      // Exit code 1 is expected: some of the tests fail on purpose.
      if (error && error.code !== 1) reject(error);
      else resolve(stdout);
    });
  });
}

before(async () => {
  for (const [name, source] of Object.entries(files)) writeFileSync(join(dir, name), source);
  text = await runNodeTest(['--test', 'basic.test.js', 'broken.test.js', 'module.test.mjs']);
  report = parseTestEvents(text, tag);
});

function find(tests: TestResult[], path: string[]): TestResult {
  const [first, ...rest] = path;
  const hit = tests.find((t) => t.name === first);
  assert.ok(hit, `no test ${JSON.stringify(path)} among ${tests.map((t) => t.name).join(', ')}`);
  return rest.length ? find(hit.children, rest) : hit;
}

test('a real run becomes a tree with statuses, paths and suites', () => {
  assert.equal(report.reporterSeen, true);
  assert.deepEqual(
    report.tests.map((t) => [t.name, t.status]),
    [
      ['adds', 'passed'],
      ['compares objects', 'failed'],
      ['cart', 'failed'],
      ['chatty', 'passed'],
      ['name with # hash and \\ backslash', 'passed'],
      [join(dir, 'broken.test.js'), 'failed'],
      ['esm fails', 'failed'],
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

test('failures carry the message, expected/actual and both locations', () => {
  const file = join(dir, 'basic.test.js');
  const diff = find(report.tests, ['compares objects']);
  assert.match(diff.message ?? '', /Expected values to be strictly deep-equal/);
  assert.match(diff.message ?? '', /\+ {3}id: 1,\n- {3}id: 2,/);
  assert.equal(diff.expected, "{ id: 2, tags: [ 'a' ] }");
  assert.equal(diff.actual, "{ id: 1, tags: [ 'a' ] }");
  assert.deepEqual(diff.location, { file, line: 5, column: 1 });
  assert.deepEqual(diff.errorLocation, { file, line: 6, column: 10 });

  const deep = find(report.tests, ['cart', 'checkout', 'charges the total']);
  assert.equal(deep.message, 'first line\n...\nlast line');
  assert.deepEqual(deep.location, { file, line: 11, column: 5 });
  assert.equal(deep.errorLocation?.line, 12);
  assert.equal(find(report.tests, ['cart', 'checkout']).failureType, 'subtestsFailed');

  // An ES module's stack names its file by URL; the location is still the file's path.
  const esm = find(report.tests, ['esm fails']);
  assert.deepEqual(esm.errorLocation, { file: join(dir, 'module.test.mjs'), line: 6, column: 10 });
});

test('a file that throws at load is a failed test explained by its stderr', () => {
  const broken = find(report.tests, [join(dir, 'broken.test.js')]);
  assert.match(broken.message ?? '', /^test failed\n/);
  assert.match(broken.message ?? '', /Error: boom at load/);
  assert.doesNotMatch(broken.message ?? '', /hello from the test/);
});

test('console output is kept as output, never read as an event', () => {
  assert.ok(report.output.includes('hello from the test'));
  assert.ok(report.output.includes('{"leakhunt":"","event":"start","path":["pretending"]}'));
  assert.ok(report.output.includes('# Subtest: fake'));
  assert.equal(report.tests.filter((t) => t.name === 'pretending').length, 0);
});

test("totals agree with the runner's own summary (cancelled counts as failed)", () => {
  const summary = Object.fromEntries(
    report.output
      .map((line) => /^(tests|suites|pass|fail|cancelled|skipped|todo) (\d+)$/.exec(line))
      .filter((match) => match !== null)
      .map((match) => [match[1], Number(match[2])]),
  );
  assert.deepEqual(report.totals, {
    tests: summary.tests,
    suites: summary.suites,
    passed: summary.pass,
    failed: summary.fail + summary.cancelled,
    skipped: summary.skipped,
    todo: summary.todo,
  });
  assert.equal(report.totals.failed, 4);
});

test('fed in small chunks it reports the same tree, children before parents, live', () => {
  const started: string[] = [];
  const finished: string[] = [];
  const parser = new TestEventParser(
    {
      onStart: (path) => started.push(path.join(' > ')),
      onResult: (result) => {
        // A result is final when delivered: its children have all been delivered before it.
        for (const child of result.children) assert.ok(finished.includes(child.path.join(' > ')));
        finished.push(result.path.join(' > '));
      },
    },
    tag,
  );
  for (let i = 0, size = 1; i < text.length; i += size, size = (size % 13) + 1)
    parser.write(text.slice(i, i + size));
  assert.deepEqual(parser.end(), report);
  assert.equal(finished.length, report.totals.tests + report.totals.suites);
  assert.deepEqual([...started].sort(), [...finished].sort());
  assert.ok(finished.indexOf('cart > checkout > charges the total') < finished.indexOf('cart'));
});

test('without process isolation the console lines share stdout with the events', async () => {
  const direct = parseTestEvents(await runNodeTest(['basic.test.js']), tag);
  assert.deepEqual(
    direct.tests.map((t) => t.name),
    ['adds', 'compares objects', 'cart', 'chatty', 'name with # hash and \\ backslash'],
  );
  assert.ok(direct.output.includes('hello from the test'));
  assert.ok(direct.output.includes('{"leakhunt":"","event":"start","path":["pretending"]}'));
});

test('output cut off mid-run reports the unfinished tests as failed', () => {
  // Up to the line that starts "ships abroad".
  const cut = text.slice(0, text.lastIndexOf('\n', text.indexOf('"ships abroad"')));
  const partial = parseTestEvents(cut, tag);
  const cart = find(partial.tests, ['cart']);
  assert.equal(cart.status, 'failed');
  assert.equal(cart.failureType, 'unfinished');
  assert.match(cart.message ?? '', /output ended/);
  assert.deepEqual(
    cart.children.map((t) => t.name),
    ['is empty at first', 'checkout'],
  );
});

test('output of another reporter is flagged as unread rather than read as no tests', async () => {
  const spec = parseTestEvents(
    await runNodeTest(['--test', '--test-reporter=spec', 'basic.test.js'], plainEnv()),
    tag,
  );
  assert.equal(spec.reporterSeen, false);
  assert.deepEqual(spec.tests, []);
  assert.ok(spec.output.some((line) => line.includes('compares objects')));
});
