import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freshFolder, resolveExercisesFolder } from '../../../src/extension/exercises/destination';

const home = join(tmpdir(), 'home-of-learner');

test('leakHunt.exercisesFolder: empty means leak-hunt-exercises in the home folder', () => {
  assert.equal(resolveExercisesFolder('', home), join(home, 'leak-hunt-exercises'));
  assert.equal(resolveExercisesFolder('   ', home), join(home, 'leak-hunt-exercises'));
});

test('leakHunt.exercisesFolder: an absolute path is used as written', () => {
  const folder = join(tmpdir(), 'my-exercises');
  assert.equal(resolveExercisesFolder(` ${folder} `, home), folder);
});

test('leakHunt.exercisesFolder: ~ and relative paths are the home folder, never the working directory', () => {
  assert.equal(resolveExercisesFolder('~', home), home);
  assert.equal(resolveExercisesFolder('~/leaks', home), join(home, 'leaks'));
  assert.equal(resolveExercisesFolder('leaks/2026', home), join(home, 'leaks', '2026'));
  // Whatever directory the extension host was started in, the answer is the same.
  const before = process.cwd();
  try {
    process.chdir(tmpdir());
    assert.equal(resolveExercisesFolder('leaks', home), join(home, 'leaks'));
  } finally {
    process.chdir(before);
  }
});

test('a fresh folder never reuses one that holds work', () => {
  const parent = mkdtempSync(join(tmpdir(), 'leakhunt-destination-'));
  try {
    assert.equal(freshFolder(parent, 'cart'), join(parent, 'cart'));
    mkdirSync(join(parent, 'cart'));
    assert.equal(freshFolder(parent, 'cart'), join(parent, 'cart'), 'an empty folder is reused');
    writeFileSync(join(parent, 'cart', 'server.js'), '');
    assert.equal(freshFolder(parent, 'cart'), join(parent, 'cart-2'));
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});
