import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { ProgressStore } from '../../../src/progress/store';
import { captureIo } from '../../support/cliIo';

const twoLeaks = join(__dirname, '../../../../test/fixtures/exercises/two-leaks');
const work = mkdtempSync(join(tmpdir(), 'leakhunt-learner-leaks-test-'));
after(() => rmSync(work, { recursive: true, force: true }));

let counter = 0;
/** A learner's workspace of the two-leaks fixture (a copy: a folder the user made, trusted). */
async function workspace(): Promise<string> {
  const exercise = join(work, `exercise-${++counter}`);
  cpSync(twoLeaks, exercise, { recursive: true });
  const dir = join(work, `workspace-${counter}`);
  assert.equal(await runCli(['open', exercise, dir], captureIo()), 0);
  return dir;
}

async function hint(dir: string, ...args: string[]): Promise<{ code: number; text: string }> {
  const io = captureIo();
  const code = await runCli(['hint', dir, ...args], io);
  return { code, text: [...io.stdout, ...io.stderr].join('\n') };
}

test('hint climbs the general hints, then each leak in turn; --leak N climbs leak N', async () => {
  const dir = await workspace();
  const first = await hint(dir);
  assert.equal(first.code, 0);
  assert.equal(
    first.text,
    'Hint 1 of 1:\nCompare two snapshots taken a few hundred requests apart.\n\n' +
      'leak 1: 0 of 3 hints\nleak 2: 0 of 3 hints',
  );
  const second = await hint(dir);
  assert.match(second.text, /^Leak 1 of 2, nudge \(hint 1 of 3\):\nWhich objects grow/);
  assert.match(second.text, /general hints: 1 of 1 hints\nleak 2: 0 of 3 hints$/);
  const other = await hint(dir, '--leak', '2');
  assert.match(other.text, /^Leak 2 of 2, nudge \(hint 1 of 3\):\nLoad only the watch endpoint/);
  assert.match(other.text, /leak 1: 1 of 3 hints$/);
  assert.match((await hint(dir)).text, /^Leak 1 of 2, where to look/);
  assert.match((await hint(dir, '--leak', '1')).text, /^Leak 1 of 2, how to fix/);
  assert.match((await hint(dir, '--leak', '1')).text, /All hints for leak 1 are already revealed/);
  for (const text of [first.text, second.text, other.text])
    assert.doesNotMatch(text, /profile-cache|watch-listeners/, 'leak ids stay hidden');
  const bad = await hint(dir, '--leak', '3');
  assert.equal(bad.code, 2);
  assert.match(bad.text, /--leak expects a number from 1 to 2/);
  const store = new ProgressStore(join(dir, '.leakhunt'));
  const { exercises } = await store.load();
  store.dispose();
  assert.deepEqual(
    exercises[0]?.hints.map((h) => [h.leak, h.index]),
    [
      [undefined, 0],
      [1, 0],
      [2, 0],
      [1, 1],
      [1, 2],
    ],
  );
});

test('a progress file from before per-leak hints still loads; its hints count as general ones', async () => {
  const dir = await workspace();
  writeFileSync(
    join(dir, '.leakhunt', 'progress.json'),
    JSON.stringify({
      schemaVersion: 1,
      exercises: {
        'two-leaks': {
          exerciseId: 'two-leaks',
          set: '',
          title: 'Two leaks',
          started: '2026-01-01T00:00:00.000Z',
          activeSeconds: 0,
          hints: [{ index: 0, at: '2026-01-01T00:01:00.000Z' }],
          snapshots: [],
          testRuns: [],
          leakChecks: [],
        },
      },
    }),
  );
  const next = await hint(dir);
  assert.match(next.text, /^Leak 1 of 2, nudge/);
  assert.doesNotMatch(next.text, /progress/i, 'no warning about the old file');
});

test('the debrief is refused until the exercise is solved, then shown', async () => {
  const dir = await workspace();
  assert.ok(existsSync(join(dir, '.leakhunt', 'exercise', 'debrief.md')), 'travels with the copy');
  const early = captureIo();
  assert.equal(await runCli(['debrief', dir], early), 1);
  assert.match(early.stdout.join('\n'), /opens once the exercise is solved/);
  assert.doesNotMatch(early.stdout.join('\n'), /module-level Map/);
  const store = new ProgressStore(join(dir, '.leakhunt'));
  await store.load();
  await store.recordTestRun('two-leaks', { passed: 2, failed: 0, skipped: 0 });
  await store.recordLeakCheck('two-leaks', { verdict: 'no-leak', bytesPerRequest: 1 });
  store.dispose();
  const solved = captureIo();
  assert.equal(await runCli(['debrief', dir], solved), 0);
  assert.match(solved.stdout.join('\n'), /^# Two leaks\n\nA module-level Map kept every profile/);
});

test('verify and grade run every check the exercise declares and, once all pass, print the debrief', async () => {
  const dir = await workspace();
  for (const file of ['profiles.js', 'watchers.js'])
    cpSync(join(twoLeaks, 'solution', file), join(dir, file));
  const io = captureIo();
  assert.equal(await runCli(['verify', dir], io), 0, io.stdout.join('\n'));
  assert.ok(io.stderr.some((line) => /check for leak 2 \(2 of 2\)/.test(line)));
  const out = io.stdout.join('\n');
  assert.match(out, /Solved: the tests pass and the leak is gone\.\n\n# Two leaks\n/);
  const graded = captureIo();
  assert.equal(await runCli(['grade', dir], graded), 0, graded.stdout.join('\n'));
  assert.match(graded.stdout.join('\n'), /passed \([\d.]+s\)\n\n# Two leaks\n/);
});

test("verify says leak when only a leak's own check can see it", async () => {
  const dir = await workspace();
  cpSync(join(twoLeaks, 'solution', 'profiles.js'), join(dir, 'profiles.js'));
  // The tests are made to pass, so the checks decide alone.
  writeFileSync(
    join(dir, 'test', 'server.test.js'),
    "import { test } from 'node:test';\ntest('ok', () => {});\n",
  );
  const io = captureIo();
  assert.equal(await runCli(['verify', dir], io), 1);
  assert.match(io.stdout.join('\n'), /Leak check: still leaking/);
  assert.doesNotMatch(io.stdout.join('\n'), /# Two leaks/, 'no debrief before it is solved');
});
