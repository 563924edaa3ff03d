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
  exerciseChecks,
  hintCount,
  hintLadders,
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

test('the built-in set lists its exercises in order, all per-leak, schema-valid with files in place', async () => {
  const catalog = await readCatalog(builtInExercisesDir());
  assert.deepEqual(
    catalog.exercises.map((e) => e.manifest.id),
    [
      'user-sessions',
      'log-search',
      'price-alerts',
      'dispatch',
      'cart',
      'quote-gateway',
      'report-export',
      'link-previews',
      'quote-lookups',
      'thumbnailer',
      'feature-flags',
      'webhook-inbox',
      'assessment-processor',
      'task-api',
    ],
  );
  for (const exercise of catalog.exercises) {
    const { id, leaks, expect, debrief } = exercise.manifest;
    assert.ok(leaks?.length || expect === 'no-leak', `${id} names its leaks or expects none`);
    assert.ok(debrief, `${id} has a debrief`);
    assert.deepEqual(await exerciseFileProblems(exercise), [], id);
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
    expect: 'leak',
    hints: ['one'],
    leaks: [
      {
        id: 'the-leak',
        fixedBy: ['server.js'],
        hints: { nudge: 'n', where: 'w', fix: 'f' },
        check: { requests: [{ service: 'api', method: 'GET', path: '/other' }] },
      },
    ],
    debrief: 'debrief.md',
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
  manifest.hints = [];
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

const twoLeaks = join(__dirname, '../../../../test/fixtures/exercises/two-leaks');
const twoLeaksManifest = (): ExerciseManifest =>
  JSON.parse(readFileSync(join(twoLeaks, 'exercise.json'), 'utf8')) as ExerciseManifest;

test('an exercise of the older shape (no leaks, no expect) still needs three hints', () => {
  const manifest = fixtureManifest();
  manifest.hints = ['only one'];
  assert.deepEqual(
    manifestProblems(manifest).map((p) => p.where),
    ['/hints'],
  );
  delete manifest.hints;
  assert.deepEqual(
    manifestProblems(manifest).map((p) => p.where),
    ['/hints'],
  );
});

test('per-leak manifests: ids unique, fixedBy disjoint, a debrief, own checks that can decide', () => {
  assert.deepEqual(manifestProblems(twoLeaksManifest()), []);
  const manifest = twoLeaksManifest();
  const [first, second] = manifest.leaks!;
  second!.id = first!.id;
  second!.fixedBy = ['./profiles.js'];
  second!.check = { service: 'ghost', step: 10 };
  delete manifest.debrief;
  const problems = manifestProblems(manifest);
  assert.deepEqual(problems.map((p) => p.where).sort(), [
    '/debrief',
    '/leaks/1/check/service',
    '/leaks/1/check/step',
    '/leaks/1/fixedBy/0',
    '/leaks/1/id',
  ]);
  assert.match(problems.find((p) => p.where === '/leaks/1/fixedBy/0')!.message, /already fixes/);
});

test('a leak exercise names its leaks and its solution; a no-leak one names neither leaks nor needs a solution', () => {
  const leaky = twoLeaksManifest();
  leaky.leaks = [];
  delete leaky.solution;
  assert.deepEqual(
    manifestProblems(leaky)
      .map((p) => p.where)
      .sort(),
    ['/leaks', '/solution'],
  );
  const clean = twoLeaksManifest();
  clean.expect = 'no-leak';
  delete clean.solution;
  assert.deepEqual(
    manifestProblems(clean).map((p) => p.where),
    ['/leaks'],
  );
  delete clean.leaks;
  assert.deepEqual(manifestProblems(clean), []);
});

test("each leak's fixedBy files exist in the solution, and together they cover it; the debrief exists", async () => {
  const exercise = await loadExercise(twoLeaks);
  assert.deepEqual(await exerciseFileProblems(exercise), []);
  const manifest = twoLeaksManifest();
  manifest.leaks![0]!.fixedBy = ['profile.js'];
  manifest.debrief = 'missing.md';
  const broken = { ...exercise, manifest };
  const problems = await exerciseFileProblems(broken);
  assert.deepEqual(problems.map((p) => p.where).sort(), [
    '/debrief',
    '/leaks',
    '/leaks/0/fixedBy/0',
  ]);
  assert.ok(
    problems.some((p) => /solution file profiles\.js is in no leak's fixedBy/.test(p.message)),
  );
});

test('the checks a learner runs: the top-level one, then each distinct own check of a leak', () => {
  const manifest = twoLeaksManifest();
  const checks = exerciseChecks(manifest);
  assert.deepEqual(
    checks.map((c) => [c.label, c.leaks]),
    [
      ['check', []],
      ['check for leak 2', [2]],
    ],
  );
  assert.equal(checks[1]!.manifest.check.requests?.[0]?.path, '/watch/{n}');
  assert.equal(checks[1]!.manifest.check.thresholdBytesPerRequest, 2000, 'the rest is inherited');
  // An own check equal to the top-level one adds nothing; two equal own checks run once.
  manifest.leaks![0]!.check = { step: manifest.check.step };
  manifest.leaks!.push({ ...manifest.leaks![1]!, id: 'third', fixedBy: ['x.js'] });
  assert.deepEqual(
    exerciseChecks(manifest).map((c) => c.label),
    ['check', 'check for leak 2, leak 3'],
  );
});

test('hint ladders: the general hints first, then nudge, where, fix per leak, named by number', () => {
  const ladders = hintLadders(twoLeaksManifest());
  assert.deepEqual(
    ladders.map((l) => [l.name, l.leak, l.rungs.map((r) => r.label)]),
    [
      ['general hints', undefined, ['hint 1']],
      ['leak 1', 1, ['nudge', 'where to look', 'how to fix']],
      ['leak 2', 2, ['nudge', 'where to look', 'how to fix']],
    ],
  );
  assert.equal(hintCount(twoLeaksManifest()), 7);
});
