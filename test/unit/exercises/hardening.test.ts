import assert from 'node:assert/strict';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../../../src/cli/main';
import {
  ExerciseError,
  PACK_MANIFEST,
  PackError,
  loadExercise,
  packSet,
  unpackPack,
  type PackManifest,
} from '../../../src/exercises';
import { manifestProblems } from '../../../src/exercises/exercise';
import { listFiles, sha256 } from '../../../src/exercises/files';
import { MAX_REQUESTS_PER_LOAD, MAX_THRESHOLD_BYTES_PER_REQUEST } from '../../../src/hunt/plan';
import { minRequestsPerRung } from '../../../src/hunt/verdict';
import { captureIo } from '../../support/cliIo';
import { writeZip, type RawEntry } from './zipWriter';

const root = join(__dirname, '../../../..');
const fixtureSet = join(root, 'test/fixtures/packs/mini-set');
const fixtureExercise = join(root, 'test/fixtures/exercises/mini-leak');
const work = mkdtempSync(join(tmpdir(), 'leakhunt-hardening-'));
after(() => rmSync(work, { recursive: true, force: true }));

let counter = 0;
function folder(): string {
  const dir = join(work, `case-${++counter}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function manifest(): Record<string, unknown> & {
  load: Record<string, unknown>;
  check: Record<string, unknown>;
} {
  return JSON.parse(readFileSync(join(fixtureExercise, 'exercise.json'), 'utf8')) as ReturnType<
    typeof manifest
  >;
}

test('an exercise.json saved with a byte-order mark loads', async () => {
  const dir = folder();
  cpSync(fixtureExercise, dir, { recursive: true });
  const text = readFileSync(join(dir, 'exercise.json'), 'utf8');
  writeFileSync(join(dir, 'exercise.json'), `\ufeff${text}`);
  const exercise = await loadExercise(dir);
  assert.equal(exercise.manifest.id, manifest().id);
});

test('a pack whose set.json and exercise.json carry byte-order marks unpacks', async () => {
  const files = new Map<string, Buffer>();
  for (const rel of await listFiles(fixtureSet)) {
    const data = readFileSync(join(fixtureSet, rel));
    files.set(rel, rel.endsWith('.json') ? Buffer.concat([Buffer.from('\ufeff'), data]) : data);
  }
  const dir = folder();
  const pack = join(dir, 'bom.zip');
  writeFileSync(pack, writeZip(entries(files)));
  const result = await unpackPack(pack, join(dir, 'dest'));
  assert.equal(result.set.name, 'Mini set');
});

test('counts and thresholds out of bounds are schema problems', () => {
  const cases: [string, (m: ReturnType<typeof manifest>) => void, RegExp][] = [
    ['/load/count', (m) => (m.load.count = 1e15), /must be <= 100000/],
    ['/check/step', (m) => (m.check.step = 1e12), /must be <= 100000/],
    ['/check/warmup', (m) => (m.check.warmup = MAX_REQUESTS_PER_LOAD + 1), /must be <= 100000/],
    [
      '/check/thresholdBytesPerRequest',
      (m) => (m.check.thresholdBytesPerRequest = 0),
      /must be > 0/,
    ],
    [
      '/check/thresholdBytesPerRequest',
      (m) => (m.check.thresholdBytesPerRequest = MAX_THRESHOLD_BYTES_PER_REQUEST * 2),
      /must be <= 1048576/,
    ],
    ['/load/rate', (m) => (m.load.rate = 1e-9), /must be >= 1/],
  ];
  for (const [where, change, message] of cases) {
    const m = manifest();
    change(m);
    const problems = manifestProblems(m);
    assert.ok(
      problems.some((p) => p.where === where && message.test(p.message)),
      `${where}: ${JSON.stringify(problems)}`,
    );
  }
});

test('a check or load too small for a verdict is a problem naming the count that is enough', () => {
  const m = manifest();
  const threshold = m.check.thresholdBytesPerRequest as number;
  const fewest = minRequestsPerRung(threshold);
  m.check.step = fewest - 1;
  m.load.count = 5;
  const problems = manifestProblems(m);
  for (const where of ['/check/step', '/load/count'])
    assert.ok(
      problems.some(
        (p) =>
          p.where === where &&
          p.message.includes(`too few for a verdict`) &&
          p.message.includes(`at least ${fewest}`),
      ),
      `${where}: ${JSON.stringify(problems)}`,
    );
  m.check.step = fewest;
  m.load.count = fewest;
  assert.deepEqual(manifestProblems(m), []);
});

/** Zip entries of a well-formed pack of `files`. */
function entries(files: Map<string, Buffer>, extra: RawEntry[] = []): RawEntry[] {
  const all = new Map(files);
  for (const entry of extra) all.set(entry.name, entry.data);
  const packManifest: PackManifest = {
    format: 'leakhunt-pack',
    formatVersion: 1,
    set: { name: 'Mini set', version: '0.1.0', author: 'tests' },
    includesSolutions: true,
    files: [...all].map(([path, data]) => ({
      path,
      sha256: sha256(data),
      size: data.length,
      role: path.includes('/solution/') ? 'solution' : 'exercise',
    })),
  };
  return [
    { name: PACK_MANIFEST, data: Buffer.from(JSON.stringify(packManifest)) },
    ...[...all].map(([name, data]) => ({ name, data })),
  ];
}

test('two names that differ only in Unicode normalisation are reported as such, not as case', async () => {
  const files = new Map<string, Buffer>();
  for (const rel of await listFiles(fixtureSet))
    files.set(rel, readFileSync(join(fixtureSet, rel)));
  const nfc = 'mini-leak/app/caf\u00e9.js';
  const nfd = 'mini-leak/app/cafe\u0301.js';
  const dir = folder();
  const pack = join(dir, 'nfd.zip');
  writeFileSync(
    pack,
    writeZip(
      entries(files, [
        { name: nfc, data: Buffer.from('1') },
        { name: nfd, data: Buffer.from('2') },
      ]),
    ),
  );
  await assert.rejects(unpackPack(pack, join(dir, 'dest')), (error: unknown) => {
    assert.ok(error instanceof PackError);
    assert.match(error.message, /Unicode normalisation forms \(NFC and NFD\)/);
    assert.doesNotMatch(error.message, /only in case/);
    return true;
  });
  const cased = join(dir, 'case.zip');
  writeFileSync(
    cased,
    writeZip(
      entries(files, [
        { name: 'mini-leak/app/A.js', data: Buffer.from('1') },
        { name: 'mini-leak/app/a.js', data: Buffer.from('2') },
      ]),
    ),
  );
  await assert.rejects(unpackPack(cased, join(dir, 'dest')), /differ only in case/);
});

test('a destination that is not empty is said to be so, not blamed on the pack', async () => {
  const dir = folder();
  const pack = join(dir, 'set.zip');
  await packSet(fixtureSet, pack);
  const dest = join(dir, 'dest');
  mkdirSync(dest);
  writeFileSync(join(dest, 'mine.txt'), 'keep me');
  const io = captureIo({ cwd: dir });
  assert.equal(await runCli(['unpack', pack, dest], io), 2);
  assert.equal(io.stderr.length, 1);
  assert.match(io.stderr[0]!, /the destination .*dest is not empty \(1 entries\)/);
  assert.doesNotMatch(io.stderr[0]!, /pack rejected/);
  assert.deepEqual(readdirSync(dest), ['mine.txt']);
});

test('a manifest that is not a regular file is refused, not read', async () => {
  const dir = folder();
  mkdirSync(join(dir, 'exercise.json'));
  await assert.rejects(loadExercise(dir), (error: unknown) => {
    assert.ok(error instanceof ExerciseError);
    assert.match(
      error.message,
      /exercise\.json cannot be read \(it is a folder, not a regular file\)/,
    );
    return true;
  });
});
