import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { builtInExercisesDir } from '../../../src/common/packageRoot';
import {
  ExerciseError,
  exerciseFileProblems,
  loadExercise,
  manifestProblems,
  readCatalog,
  type ExerciseManifest,
} from '../../../src/exercises';

const work = mkdtempSync(join(tmpdir(), 'leakhunt-exercise-test-'));
after(() => rmSync(work, { recursive: true, force: true }));

const fixture = join(__dirname, '../../../../test/fixtures/packs/mini-set/mini-leak');
const fixtureManifest = (): Record<string, unknown> =>
  JSON.parse(readFileSync(join(fixture, 'exercise.json'), 'utf8')) as Record<string, unknown>;

function writeExercise(name: string, manifest: unknown): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'exercise.json'),
    typeof manifest === 'string' ? manifest : JSON.stringify(manifest),
  );
  return dir;
}

test('the built-in set lists the five exercises in order, all schema-valid with files in place', async () => {
  const catalog = await readCatalog(builtInExercisesDir());
  assert.deepEqual(
    catalog.exercises.map((e) => e.manifest.id),
    ['user-sessions', 'dispatch', 'cart', 'assessment-processor', 'task-api'],
  );
  for (const exercise of catalog.exercises) {
    assert.ok(exercise.manifest.hints.length >= 3, `${exercise.manifest.id} has at least 3 hints`);
    assert.deepEqual(await exerciseFileProblems(exercise), [], exercise.manifest.id);
  }
  assert.ok(catalog.exercises[0]!.dir.endsWith(join('exercises', 'user-sessions')));
});

test('the schema and the TypeScript manifest type name the same fields', () => {
  // Every optional field present: if manifest.ts gains a field the schema lacks (or the other
  // way round), either this object stops compiling or the schema rejects it.
  const full: Required<ExerciseManifest> = {
    id: 'all-fields',
    title: 'All fields',
    summary: 'Every field of the manifest, once.',
    difficulty: 'medium',
    minutes: 10,
    scenario: 'scenario.md',
    app: 'app',
    services: [
      {
        name: 'api',
        entry: 'server.js',
        args: ['--x'],
        env: { A: 'b' },
        nodeArgs: ['--max-old-space-size=64'],
        health: '/health',
      },
    ],
    load: {
      requests: [
        {
          service: 'api',
          method: 'POST',
          path: '/x/{n}',
          body: { a: 1 },
          headers: { h: 'v' },
          weight: 2,
        },
      ],
      rate: 100,
      concurrency: 4,
      count: 100,
      durationSeconds: 5,
    },
    hints: ['one', 'two', 'three'],
    tests: { command: 'node --test test/', timeoutSeconds: 30 },
    check: {
      service: 'api',
      requests: [{ service: 'api', method: 'GET', path: '/' }],
      warmup: 1,
      step: 100,
      thresholdBytesPerRequest: 2048,
    },
    setup: { command: 'node build.js' },
    solution: 'solution',
    points: { perTest: 2, check: 10 },
  };
  assert.deepEqual(manifestProblems(full), []);
  const schema = JSON.parse(
    readFileSync(join(__dirname, '../../../../schemas/exercise.schema.json'), 'utf8'),
  ) as { properties: Record<string, unknown> };
  assert.deepEqual(
    Object.keys(schema.properties)
      .filter((k) => k !== '$schema')
      .sort(),
    Object.keys(full).sort(),
  );
});

test('a broken manifest is refused with every problem and its JSON pointer', async () => {
  const manifest = fixtureManifest();
  delete manifest.title;
  manifest.difficulty = 'impossible';
  manifest.hints = ['only one'];
  manifest.colour = 'blue';
  const dir = writeExercise('broken', manifest);
  await assert.rejects(loadExercise(dir), (error: unknown) => {
    assert.ok(error instanceof ExerciseError);
    const where = error.problems.map((p) => p.where).sort();
    assert.deepEqual(where, ['/', '/', '/difficulty', '/hints']);
    assert.ok(error.problems.some((p) => /title/.test(p.message)));
    assert.ok(error.problems.some((p) => /unknown property 'colour'/.test(p.message)));
    return true;
  });
});

test('requests and the check must name declared services', () => {
  const manifest = fixtureManifest();
  manifest.check = { service: 'ghost', warmup: 1, step: 200, thresholdBytesPerRequest: 1000 };
  manifest.services = [
    { name: 'echo', entry: 'server.js' },
    { name: 'echo', entry: 'other.js' },
  ];
  const problems = manifestProblems(manifest);
  assert.deepEqual(problems.map((p) => p.where).sort(), ['/check/service', '/services/1/name']);
});

test('paths that climb out of the exercise folder are schema errors', () => {
  const manifest = fixtureManifest();
  manifest.solution = '../elsewhere';
  manifest.scenario = '/etc/passwd';
  const where = manifestProblems(manifest)
    .map((p) => p.where)
    .sort();
  assert.deepEqual(where, ['/scenario', '/solution']);
});

test('a manifest that is not JSON is an ExerciseError carrying the parse error as cause', async () => {
  const dir = writeExercise('not-json', '{ "id": ');
  await assert.rejects(loadExercise(dir), (error: unknown) => {
    assert.ok(error instanceof ExerciseError);
    assert.ok(error.cause instanceof SyntaxError);
    assert.match(error.message, /not JSON/);
    return true;
  });
});

test('missing files are reported by exerciseFileProblems', async () => {
  const dir = writeExercise('no-files', fixtureManifest());
  const exercise = await loadExercise(dir);
  const where = (await exerciseFileProblems(exercise)).map((p) => p.where).sort();
  assert.deepEqual(where, ['/app', '/scenario', '/services/0/entry', '/solution']);
});

test('a set naming a missing exercise fails as a whole, naming it', async () => {
  const setDir = join(work, 'set');
  mkdirSync(setDir, { recursive: true });
  writeFileSync(
    join(setDir, 'set.json'),
    JSON.stringify({ name: 's', version: '1.0.0', author: 'a', exercises: ['nowhere'] }),
  );
  await assert.rejects(readCatalog(setDir), /nowhere.*exercise\.json cannot be read/);
});
