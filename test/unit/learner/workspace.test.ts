import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { checkApp, inProcessDiff } from '../../../src/hunt';
import { verifyWorkspace } from '../../../src/learner/verify';
import { findExercise, readLearnerWorkspace } from '../../../src/learner/workspace';
import { ProgressStore } from '../../../src/progress/store';
import { captureIo } from '../../support/cliIo';

const fixtureSet = join(__dirname, '../../../../test/fixtures/packs/mini-set');
const work = mkdtempSync(join(tmpdir(), 'leakhunt-learner-test-'));
after(() => rmSync(work, { recursive: true, force: true }));

let counter = 0;
const fresh = (name: string): string => join(work, `${name}-${++counter}`);

/** A copy of the mini set (a set the user made: trusted) with a learner's workspace of it. */
async function openedWorkspace(): Promise<{ set: string; dir: string }> {
  const set = fresh('set');
  cpSync(fixtureSet, set, { recursive: true });
  const dir = fresh('workspace');
  assert.equal(await runCli(['open', join(set, 'mini-leak'), dir], captureIo()), 0);
  return { set, dir };
}

test('open copies the app (never the solution) with the marker and a copy of the manifest', async () => {
  const { dir } = await openedWorkspace();
  assert.ok(existsSync(join(dir, 'service.js')));
  assert.ok(existsSync(join(dir, '.leakhunt', 'exercise.json')));
  assert.ok(existsSync(join(dir, '.leakhunt', 'exercise', 'scenario.md')));
  assert.equal(existsSync(join(dir, 'solution')), false);
  assert.equal(existsSync(join(dir, '.leakhunt', 'origin.json')), false, 'not from a pack');
  const io = captureIo();
  assert.equal(await runCli(['open', 'user-sessions', dir], io), 2, 'a folder with work in it');
  assert.match(io.stderr.join('\n'), /not empty/);
});

test('a built-in exercise opens by id; an unknown one lists the built-in ids', async () => {
  const exercise = await findExercise('user-sessions', work);
  assert.equal(exercise.manifest.id, 'user-sessions');
  await assert.rejects(findExercise('no-such', work), /user-sessions/);
});

test('the workspace still works once the exercise folder is gone (a container, a CI job)', async () => {
  const { set, dir } = await openedWorkspace();
  rmSync(set, { recursive: true });
  const workspace = await readLearnerWorkspace(dir);
  assert.equal(workspace.exercise.manifest.id, 'mini-leak');
  assert.equal(workspace.exercise.manifest.hints?.length, 3);
});

test("hint reveals the hints in order, one per call, recorded in the editor's progress format", async () => {
  const { dir } = await openedWorkspace();
  const said: string[] = [];
  for (let i = 0; i < 4; i++) {
    const io = captureIo();
    assert.equal(await runCli(['hint', dir], io), 0);
    said.push(io.stdout.join('\n'));
  }
  assert.match(said[0]!, /^Hint 1 of 3:\nLook at the globals\.$/);
  assert.match(said[1]!, /^Hint 2 of 3:/);
  assert.match(said[2]!, /^Hint 3 of 3:/);
  assert.match(said[3]!, /All hints are already revealed/);
  const store = new ProgressStore(join(dir, '.leakhunt'));
  const { exercises, warnings } = await store.load();
  store.dispose();
  assert.deepEqual(warnings, []);
  assert.deepEqual(
    exercises[0]?.hints.map((h) => h.index),
    [0, 1, 2],
  );
  assert.equal(exercises[0]?.title, 'Mini leak');
});

test('verify runs the tests and records them; the leak check waits until they pass', async () => {
  const { dir } = await openedWorkspace();
  const workspace = await readLearnerWorkspace(dir);
  let checked = false;
  const outcome = await verifyWorkspace(workspace, {
    leakCheck: (options) => {
      checked = true;
      return checkApp({ ...options, diff: inProcessDiff });
    },
  });
  assert.equal(outcome.solved, false);
  assert.equal(outcome.tests?.failed, 1);
  assert.equal(checked, false);
  const progress = JSON.parse(readFileSync(join(dir, '.leakhunt', 'progress.json'), 'utf8')) as {
    exercises: Record<string, { testRuns: { failed: number }[]; leakChecks: unknown[] }>;
  };
  assert.deepEqual(
    progress.exercises['mini-leak']?.testRuns.map((r) => r.failed),
    [1],
  );
  assert.deepEqual(progress.exercises['mini-leak']?.leakChecks, []);
});
