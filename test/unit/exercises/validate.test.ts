import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { mapWithJobs } from '../../../src/cli/commands/validate';
import { runCli } from '../../../src/cli/main';
import {
  loadExercise,
  validateExercise,
  type ExerciseManifest,
  type LeakCheck,
} from '../../../src/exercises';
import { checkApp, inProcessDiff } from '../../../src/hunt';
import type { HuntReport } from '../../../src/hunt/types';
import { captureIo } from '../../support/cliIo';

const work = mkdtempSync(join(tmpdir(), 'leakhunt-validate-test-'));
after(() => rmSync(work, { recursive: true, force: true }));
const fixtureSet = join(__dirname, '../../../../test/fixtures/packs/mini-set');

test('validate proves the fixture: pristine fails and leaks, the solution passes and is flat', async () => {
  const io = captureIo({ cwd: work });
  const code = await runCli(['validate', join(fixtureSet, 'mini-leak')], io);
  const table = io.stdout.join('\n');
  assert.equal(code, 0, `${table}\n${io.stderr.join('\n')}`);
  // Per variant: tests, check, verdict, surviving bytes per request, threshold, margin.
  assert.match(
    table,
    /mini-leak\s+pristine\s+fail \(exit 1\)\s+check\s+leak\s+\d+\s+2000\s+[\d.]+×\s+ok/,
  );
  assert.match(
    table,
    /mini-leak\s+solution\s+pass\s+check\s+no-leak\s+-?\d+\s+2000\s+([\d.]+×|∞)\s+ok/,
  );
  assert.match(table, /1\/1 exercises valid in \d+\.\ds/);
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
  assert.equal(solution.checks[0]?.report?.verdict, 'leak');
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

const twoLeaks = join(__dirname, '../../../../test/fixtures/exercises/two-leaks');

/**
 * A stand-in for the live check that reads the app copy instead of measuring it: an endpoint's
 * leak shows when the check's requests reach it and its module is the pristine one. The tests
 * run for real. Records which checks ran on which variant folder.
 */
function fakeLeakCheck(options: { leakBytes?: number } = {}): {
  leakCheck: LeakCheck;
  runs: { variant: string; paths: string[] }[];
} {
  const runs: { variant: string; paths: string[] }[] = [];
  const leakCheck: LeakCheck = async ({ appDir, manifest }) => {
    const paths = (manifest.check.requests ?? manifest.load.requests).map((r) => r.path);
    runs.push({ variant: appDir.split(/[\\/]/).pop()!, paths });
    const source = (file: string): string => readFileSync(join(appDir, file), 'utf8');
    const leaking =
      (paths.some((p) => p.startsWith('/profile')) &&
        !source('profiles.js').includes('MOST_RECENT')) ||
      (paths.some((p) => p.startsWith('/watch')) && !source('watchers.js').includes('.off('));
    const surviving = leaking ? (options.leakBytes ?? 8000) : 12;
    const threshold = manifest.check.thresholdBytesPerRequest;
    return {
      verdict: surviving > threshold ? 'leak' : 'no-leak',
      reason: 'fake',
      bytesPerRequest: surviving,
      thresholdBytesPerRequest: threshold,
      evidence: { survivingBytesPerRequest: surviving },
    } as unknown as HuntReport;
  };
  return { leakCheck, runs };
}

function copyOf(name: string, edit: (manifest: ExerciseManifest) => void): string {
  const copy = join(work, name);
  cpSync(twoLeaks, copy, { recursive: true });
  const file = join(copy, 'exercise.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as ExerciseManifest;
  edit(manifest);
  writeFileSync(file, JSON.stringify(manifest));
  return copy;
}

test('each leak is proven alone, by its own check when it has one; the solution by every check', async () => {
  const { leakCheck, runs } = fakeLeakCheck();
  const result = await validateExercise(await loadExercise(twoLeaks), { leakCheck });
  assert.deepEqual(
    result.variants.map((v) => [v.variant, v.failures]),
    [
      ['pristine', []],
      ['leak:profile-cache', []],
      ['leak:watch-listeners', []],
      ['solution', []],
    ],
  );
  assert.equal(result.ok, true);
  assert.deepEqual(runs, [
    // The pristine app leaks on the first check; the rest need not run.
    { variant: 'pristine', paths: ['/profile/{n}'] },
    { variant: 'leak-profile-cache', paths: ['/profile/{n}'] },
    { variant: 'leak-watch-listeners', paths: ['/watch/{n}'] },
    { variant: 'solution', paths: ['/profile/{n}'] },
    { variant: 'solution', paths: ['/watch/{n}'] },
  ]);
  const solution = result.variants.at(-1)!;
  assert.deepEqual(
    solution.checks.map((c) => [c.label, c.report?.verdict, Math.round(c.margin!)]),
    [
      ['check', 'no-leak', 167],
      ['check for leak 2', 'no-leak', 167],
    ],
  );
});

test('a leak the check cannot see alone fails validation, naming the variant and the check', async () => {
  const copy = copyOf('unseen-leak', (manifest) => delete manifest.leaks![1]!.check);
  const result = await validateExercise(await loadExercise(copy), {
    leakCheck: fakeLeakCheck().leakCheck,
  });
  assert.equal(result.ok, false);
  const alone = result.variants.find((v) => v.variant === 'leak:watch-listeners')!;
  assert.deepEqual(alone.failures, ['check says no-leak, expected leak: fake']);
  assert.deepEqual(
    result.variants.filter((v) => v.failures.length).map((v) => v.variant),
    ['leak:watch-listeners'],
  );
});

test('a verdict closer than 2x to its threshold fails validation with its margin', async () => {
  const result = await validateExercise(await loadExercise(twoLeaks), {
    leakCheck: fakeLeakCheck({ leakBytes: 3000 }).leakCheck,
  });
  assert.equal(result.ok, false);
  const alone = result.variants.find((v) => v.variant === 'leak:profile-cache')!;
  assert.deepEqual(alone.failures, ['check: margin 1.5× is below the 2× required']);
});

test('a no-leak exercise is valid when its pristine app passes the tests and every check', async () => {
  const copy = copyOf('no-leak', (manifest) => {
    manifest.expect = 'no-leak';
    delete manifest.leaks;
    delete manifest.solution;
  });
  for (const file of ['profiles.js', 'watchers.js'])
    cpSync(join(copy, 'solution', file), join(copy, 'app', file));
  rmSync(join(copy, 'solution'), { recursive: true });
  const { leakCheck } = fakeLeakCheck();
  const result = await validateExercise(await loadExercise(copy), { leakCheck });
  assert.deepEqual(
    result.variants.map((v) => [v.variant, v.tests?.exitCode, v.failures]),
    [['pristine', 0, []]],
  );
  // With a leak left in, the same exercise is invalid: its tests fail and its check says leak.
  cpSync(join(twoLeaks, 'app', 'profiles.js'), join(copy, 'app', 'profiles.js'));
  const leaky = await validateExercise(await loadExercise(copy), { leakCheck });
  assert.equal(leaky.ok, false);
  assert.equal(leaky.variants[0]!.failures.length, 2);
  assert.match(leaky.variants[0]!.failures[0]!, /tests fail on the pristine app/);
  assert.match(leaky.variants[0]!.failures[1]!, /check says leak, expected no-leak/);
});

test('validate --jobs runs exercises side by side but never more than asked, in the set order', async () => {
  let running = 0;
  let most = 0;
  const done = await mapWithJobs([30, 10, 20, 5, 1], 2, async (ms) => {
    running++;
    most = Math.max(most, running);
    await new Promise((resolve) => setTimeout(resolve, ms));
    running--;
    return ms;
  });
  assert.deepEqual(done, [30, 10, 20, 5, 1]);
  assert.equal(most, 2);
  assert.equal(await runCli(['validate', twoLeaks, '--jobs', '0'], captureIo({ cwd: work })), 2);
});
