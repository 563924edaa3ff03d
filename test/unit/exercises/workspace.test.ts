import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  WorkspaceError,
  applySolution,
  loadExercise,
  materialiseExercise,
  readWorkspaceMarker,
  resetExercise,
} from '../../../src/exercises';
import { listFiles } from '../../../src/exercises/files';

const work = mkdtempSync(join(tmpdir(), 'leakhunt-workspace-test-'));
after(() => rmSync(work, { recursive: true, force: true }));
const fixtureSet = join(__dirname, '../../../../test/fixtures/packs/mini-set');
// A private copy, so the exercise's own folder can be compared before and after.
cpSync(fixtureSet, join(work, 'set'), { recursive: true });
const exerciseDir = join(work, 'set', 'mini-leak');

test('materialise copies the app only (no solution, hints or manifest) and writes a marker', async () => {
  const exercise = await loadExercise(exerciseDir);
  const target = join(work, 'learner-1');
  const marker = await materialiseExercise(exercise, target);
  assert.deepEqual(await listFiles(target), [
    'package.json',
    'server.js',
    'service.js',
    'test/server.test.js',
  ]);
  assert.equal(existsSync(join(target, 'exercise.json')), false);
  assert.equal(existsSync(join(target, 'solution')), false);
  assert.equal(marker.exerciseId, 'mini-leak');
  assert.equal(marker.setId, 'set');
  assert.deepEqual(Object.keys(marker.files).sort(), [
    'package.json',
    'server.js',
    'service.js',
    'test/server.test.js',
  ]);
  assert.match(marker.pristineHash, /^[0-9a-f]{64}$/);
  assert.deepEqual(await readWorkspaceMarker(target), marker);
  assert.doesNotMatch(
    readFileSync(join(target, '.leakhunt', 'exercise.json'), 'utf8'),
    /Stop keeping it/,
  );
});

test('materialise refuses a folder that already holds files', async () => {
  const exercise = await loadExercise(exerciseDir);
  const target = join(work, 'busy');
  cpSync(join(exerciseDir, 'app'), target, { recursive: true });
  writeFileSync(join(target, 'notes.txt'), 'mine');
  await assert.rejects(materialiseExercise(exercise, target), WorkspaceError);
  assert.equal(readFileSync(join(target, 'notes.txt'), 'utf8'), 'mine');
});

test('a folder without a marker holds no exercise; a garbled marker is an error', async () => {
  assert.equal(await readWorkspaceMarker(work), undefined);
  const target = join(work, 'garbled');
  const exercise = await loadExercise(exerciseDir);
  await materialiseExercise(exercise, target);
  writeFileSync(join(target, '.leakhunt', 'exercise.json'), '{ nope');
  await assert.rejects(readWorkspaceMarker(target), WorkspaceError);
});

test('reset restores the pristine app and keeps every changed or added file in a backup', async () => {
  const exercise = await loadExercise(exerciseDir);
  const target = join(work, 'learner-2');
  await materialiseExercise(exercise, target);
  writeFileSync(join(target, 'server.js'), '// my attempt\n');
  writeFileSync(join(target, 'notes.md'), 'what I found');
  unlinkSync(join(target, 'test', 'server.test.js'));
  const result = await resetExercise(target, exercise);
  assert.deepEqual(result.changed, ['notes.md', 'server.js', 'test/server.test.js']);
  assert.ok(result.backupDir?.startsWith(join(target, '.leakhunt', 'backups')));
  assert.equal(readFileSync(join(result.backupDir!, 'server.js'), 'utf8'), '// my attempt\n');
  assert.equal(readFileSync(join(result.backupDir!, 'notes.md'), 'utf8'), 'what I found');
  assert.deepEqual(await listFiles(target), await listFiles(join(exerciseDir, 'app')));
  assert.equal(
    readFileSync(join(target, 'server.js'), 'utf8'),
    readFileSync(join(exerciseDir, 'app', 'server.js'), 'utf8'),
  );
  assert.equal(readdirSync(join(target, '.leakhunt', 'backups')).length, 1);
});

test('reset of an untouched workspace changes nothing and makes no backup', async () => {
  const exercise = await loadExercise(exerciseDir);
  const target = join(work, 'learner-3');
  await materialiseExercise(exercise, target);
  const result = await resetExercise(target, exercise);
  assert.deepEqual(result, { changed: [] });
  assert.equal(existsSync(join(target, '.leakhunt', 'backups')), false);
});

test('applySolution overlays the reference fix on a copy', async () => {
  const exercise = await loadExercise(exerciseDir);
  const target = join(work, 'solved');
  cpSync(join(exerciseDir, 'app'), target, { recursive: true });
  assert.deepEqual(await applySolution(exercise, target), ['service.js']);
  assert.equal(
    readFileSync(join(target, 'service.js'), 'utf8'),
    readFileSync(join(exerciseDir, 'solution', 'service.js'), 'utf8'),
  );
});
