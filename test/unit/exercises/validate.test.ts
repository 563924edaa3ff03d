import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { loadExercise, validateExercise } from '../../../src/exercises';
import { checkApp, inProcessDiff } from '../../../src/hunt';
import { captureIo } from '../../support/cliIo';

const work = mkdtempSync(join(tmpdir(), 'leakhunt-validate-test-'));
after(() => rmSync(work, { recursive: true, force: true }));
const fixtureSet = join(__dirname, '../../../../test/fixtures/packs/mini-set');

test('validate proves the fixture: pristine fails and leaks, the solution passes and is flat', async () => {
  const io = captureIo({ cwd: work });
  const code = await runCli(['validate', join(fixtureSet, 'mini-leak')], io);
  const table = io.stdout.join('\n');
  assert.equal(code, 0, `${table}\n${io.stderr.join('\n')}`);
  assert.match(table, /mini-leak\s+pristine\s+fail \(exit 1\)\s+leak \d+ B\/req.*\bok\b/);
  assert.match(table, /mini-leak\s+solution\s+pass\s+no-leak -?\d+ B\/req.*\bok\b/);
  assert.match(table, /1\/1 exercises valid/);
  assert.ok(
    io.stderr.some((line) => /tests: node --test/.test(line)),
    'progress goes to stderr',
  );
});

test('a solution that does not fix the leak fails validation, with both reasons', async () => {
  const copy = join(work, 'unfixed');
  cpSync(join(fixtureSet, 'mini-leak'), copy, { recursive: true });
  cpSync(join(copy, 'app', 'service.js'), join(copy, 'solution', 'service.js'));
  const result = await validateExercise(await loadExercise(copy), {
    leakCheck: (options) => checkApp({ ...options, diff: inProcessDiff }),
  });
  assert.equal(result.ok, false);
  const solution = result.variants.find((v) => v.variant === 'solution')!;
  assert.equal(solution.check?.verdict, 'leak');
  assert.ok(solution.failures.some((f) => /tests fail with the solution/.test(f)));
  assert.ok(solution.failures.some((f) => /expected no-leak/.test(f)));
  const pristine = result.variants.find((v) => v.variant === 'pristine')!;
  assert.deepEqual(pristine.failures, []);
});

test('an exercise with missing files is invalid before anything runs', async () => {
  const copy = join(work, 'no-solution');
  cpSync(join(fixtureSet, 'mini-leak'), copy, { recursive: true });
  rmSync(join(copy, 'solution'), { recursive: true });
  const io = captureIo({ cwd: work });
  assert.equal(await runCli(['validate', copy], io), 1);
  assert.match(io.stdout.join('\n'), /INVALID[\s\S]*\/solution: folder solution is missing/);
});

test('pack and unpack round-trip from the command line; a hostile pack exits 2 with one line', async () => {
  const pack = join(work, 'mini.zip');
  const io = captureIo({ cwd: work });
  assert.equal(await runCli(['pack', fixtureSet, '--graders', '-o', pack], io), 0);
  assert.match(io.stdout.join('\n'), /graders' pack, 1 solution files/);
  assert.equal(await runCli(['unpack', pack, join(work, 'unpacked')], captureIo({ cwd: work })), 0);
  const bad = join(work, 'bad.zip');
  writeFileSync(bad, 'not a zip');
  const badIo = captureIo({ cwd: work });
  assert.equal(await runCli(['unpack', bad, join(work, 'never')], badIo), 2);
  assert.equal(badIo.stderr.length, 1);
  assert.match(badIo.stderr[0]!, /pack rejected: not a readable zip/);
});

test('Ctrl-C during validate stops the tests, exits 130 and removes the temporary copies', async () => {
  const controller = new AbortController();
  const io = { ...captureIo({ cwd: work }), signal: controller.signal };
  const before = new Set(
    readdirSync(tmpdir()).filter((n) => n.startsWith('leakhunt-validate-mini')),
  );
  io.err = (line: string) => {
    if (/tests: node/.test(line)) setTimeout(() => controller.abort(), 50);
  };
  assert.equal(await runCli(['validate', join(fixtureSet, 'mini-leak')], io), 130);
  const left = readdirSync(tmpdir()).filter(
    (n) => n.startsWith('leakhunt-validate-mini') && !before.has(n),
  );
  assert.deepEqual(left, []);
});

test('validate, pack and unpack refuse missing arguments with exit 2', async () => {
  assert.equal(await runCli(['validate'], captureIo({ cwd: work })), 2);
  assert.equal(await runCli(['pack', fixtureSet], captureIo({ cwd: work })), 2);
  assert.equal(await runCli(['unpack', 'only-one'], captureIo({ cwd: work })), 2);
});
