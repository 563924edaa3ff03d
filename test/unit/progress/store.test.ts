import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ProgressError } from '../../../src/progress/errors';
import { findProblems } from '../../../src/progress/model';
import { ProgressStore, type ProgressChange } from '../../../src/progress/store';

const root = mkdtempSync(join(tmpdir(), 'leakhunt-progress-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirCount = 0;
function freshDir(): string {
  return join(root, `store-${++dirCount}`);
}

/** A clock the test moves by hand. */
function manualClock(start = Date.parse('2026-01-05T09:00:00.000Z')) {
  let now = start;
  return {
    now: () => now,
    advance: (seconds: number) => {
      now += seconds * 1000;
    },
  };
}

const about = { set: 'basics', title: 'User sessions' };
const storeJs = join(__dirname, '../../../src/progress/store.js');

/** A child process with its own store on `dir`; it prints `ready`, then `done` after n snapshots. */
function spawnWriter(dir: string, exerciseId: string, count: number) {
  const script = `
    const { ProgressStore } = require(${JSON.stringify(storeJs)});
    const store = new ProgressStore(${JSON.stringify(dir)});
    (async () => {
      await store.load();
      process.stdout.write('ready\\n');
      for (let i = 0; i < ${count}; i++) {
        await store.recordSnapshot(${JSON.stringify(exerciseId)});
        process.stdout.write('wrote\\n');
      }
      process.stdout.write('done\\n');
    })().catch((error) => { console.error(error); process.exit(3); });
  `;
  return spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
}

test('progress survives a reload by a new store instance', async () => {
  const dir = freshDir();
  const clock = manualClock();
  const first = new ProgressStore(dir, { clock: clock.now });
  assert.deepEqual(await first.load(), { exercises: [], warnings: [] });
  await first.start('user-sessions', about);
  clock.advance(30);
  await first.recordSnapshot('user-sessions');
  await first.recordTestRun('user-sessions', { passed: 3, failed: 1, skipped: 0 });

  const second = new ProgressStore(dir, { clock: clock.now });
  const loaded = await second.load();
  assert.deepEqual(loaded.warnings, []);
  assert.deepEqual(loaded.exercises, [first.get('user-sessions')]);
  const progress = second.get('user-sessions');
  assert.equal(progress?.title, 'User sessions');
  assert.equal(progress?.started, '2026-01-05T09:00:00.000Z');
  assert.deepEqual(progress?.snapshots, ['2026-01-05T09:00:30.000Z']);
  assert.equal(JSON.parse(readFileSync(join(dir, 'progress.json'), 'utf8')).schemaVersion, 1);
});

test('a leftover temp file from a write that died is ignored; an old one is tidied', async () => {
  const dir = freshDir();
  const store = new ProgressStore(dir);
  await store.load();
  await store.start('user-sessions', about);
  const fresh = join(dir, 'progress.json.tmp-999999-aaaa');
  const old = join(dir, 'progress.json.tmp-999999-bbbb');
  writeFileSync(fresh, '{"schemaVersion":1,"exercises":{"half-writ');
  writeFileSync(old, '{"schemaVersion":1,"exercises":{}}');
  utimesSync(old, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));

  const reloaded = new ProgressStore(dir);
  const { exercises, warnings } = await reloaded.load();
  assert.deepEqual(warnings, []);
  assert.deepEqual(
    exercises.map((e) => e.exerciseId),
    ['user-sessions'],
  );
  assert.ok(existsSync(fresh), 'a recent temp file may belong to a live writer');
  assert.ok(!existsSync(old), 'an abandoned temp file is removed');
});

test('writers killed mid-update leave a valid file and a lock the next writer breaks', async () => {
  const dir = freshDir();
  let acknowledged = 0;
  // Several rounds, killed after different numbers of writes, to land the kill at various
  // points of the lock-read-write-rename cycle.
  for (const writes of [3, 11, 7, 17, 5]) {
    const child = spawnWriter(dir, 'user-sessions', 100_000);
    let wrote = 0;
    child.stdout.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        wrote += chunk.split('\n').filter((line) => line === 'wrote').length;
        if (wrote >= writes) resolve();
      });
      child.on('exit', (code) => reject(new Error(`the writer exited early with ${code}`)));
    });
    child.kill('SIGKILL');
    await once(child, 'exit');
    acknowledged += wrote;

    // The lock cannot age out within the wait: only recognising the dead owner lets this pass.
    const store = new ProgressStore(dir, { lock: { timeoutMs: 8_000, staleMs: 60_000 } });
    const { warnings } = await store.load();
    assert.deepEqual(warnings, []);
    const count = store.get('user-sessions')?.snapshots.length ?? 0;
    assert.ok(count >= acknowledged, `${acknowledged} acknowledged writes, ${count} found`);
    const after = await store.recordSnapshot('user-sessions');
    assert.equal(after.snapshots.length, count + 1);
    acknowledged = count + 1;
    assert.ok(!existsSync(join(dir, 'progress.json.lock')), 'the lock is released');
  }
});

test('a stale lock is broken by owner pid or by age; a live one makes the writer wait', async () => {
  const dir = freshDir();
  const store = new ProgressStore(dir, { lock: { timeoutMs: 2_000, staleMs: 5_000 } });
  await store.load();
  const lock = join(dir, 'progress.json.lock');

  const gone = spawn(process.execPath, ['-e', '0']);
  await once(gone, 'exit');
  writeFileSync(
    lock,
    JSON.stringify({ pid: gone.pid, host: (await import('node:os')).hostname(), token: 'x' }),
  );
  assert.equal((await store.recordSnapshot('e')).snapshots.length, 1);

  writeFileSync(lock, JSON.stringify({ pid: process.pid, host: 'another-machine', token: 'y' }));
  utimesSync(lock, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
  assert.equal((await store.recordSnapshot('e')).snapshots.length, 2);

  writeFileSync(lock, JSON.stringify({ pid: process.pid, host: 'another-machine', token: 'z' }));
  const impatient = new ProgressStore(dir, { lock: { timeoutMs: 150 } });
  await assert.rejects(impatient.recordSnapshot('e'), (error: unknown) => {
    assert.ok(error instanceof ProgressError);
    assert.equal(error.code, 'lock-timeout');
    return true;
  });
  assert.equal(readFileSync(lock, 'utf8').includes('"z"'), true, 'a live lock is left alone');
  rmSync(lock);
});

test('a corrupt file is kept aside with a warning and progress starts afresh', async () => {
  const dir = freshDir();
  const clock = manualClock();
  const seed = new ProgressStore(dir, { clock: clock.now });
  await seed.load();
  await seed.start('user-sessions', about);
  writeFileSync(join(dir, 'progress.json'), '{"schemaVersion":1,"exercises":{"user-se');

  const store = new ProgressStore(dir, { clock: clock.now });
  const { exercises, warnings } = await store.load();
  assert.deepEqual(exercises, []);
  assert.equal(warnings.length, 1);
  const keptAt = join(dir, 'progress.json.corrupt-2026-01-05T09-00-00.000Z');
  assert.equal(warnings[0]?.keptAt, keptAt);
  assert.match(warnings[0]?.message ?? '', /not valid JSON.*kept as/);
  assert.equal(readFileSync(keptAt, 'utf8'), '{"schemaVersion":1,"exercises":{"user-se');

  // Valid JSON of the wrong shape is corrupt too, and a second one does not overwrite the first.
  writeFileSync(
    join(dir, 'progress.json'),
    '{"schemaVersion":1,"exercises":{"a":{"exerciseId":"b"}}}',
  );
  const warned: string[] = [];
  store.onDidWarn((warning) => warned.push(warning.keptAt ?? ''));
  await store.recordSnapshot('user-sessions');
  assert.deepEqual(warned, [`${keptAt}-2`]);
  assert.equal(readFileSync(keptAt, 'utf8'), '{"schemaVersion":1,"exercises":{"user-se');
  assert.equal(new ProgressStore(dir).get('x'), undefined);
  const reread = new ProgressStore(dir);
  assert.deepEqual((await reread.load()).warnings, []);
  assert.equal(reread.get('user-sessions')?.snapshots.length, 1);
});

test('a file from a newer Leak Hunt is refused and left untouched', async () => {
  const dir = freshDir();
  const store = new ProgressStore(dir);
  await store.load();
  const newer = '{"schemaVersion":2,"exercises":{},"somethingNew":true}';
  writeFileSync(join(dir, 'progress.json'), newer);
  await assert.rejects(store.recordSnapshot('e'), { name: 'ProgressError', code: 'newer-schema' });
  await assert.rejects(new ProgressStore(dir).load(), { code: 'newer-schema' });
  assert.equal(readFileSync(join(dir, 'progress.json'), 'utf8'), newer);
  assert.deepEqual(
    readdirSync(dir).filter((name) => name.includes('corrupt')),
    [],
  );
});

test('concurrent updates from one store, two stores and a child process lose nothing', async () => {
  const dir = freshDir();
  const one = new ProgressStore(dir);
  const two = new ProgressStore(dir);
  await Promise.all([one.load(), two.load()]);
  const child = spawnWriter(dir, 'shared', 40);
  child.stdout.setEncoding('utf8');
  let childOutput = '';
  child.stdout.on('data', (chunk: string) => (childOutput += chunk));
  const childExit = once(child, 'exit');

  await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      (i % 2 ? one : two).update('shared', (p) => {
        p.hints.push({ index: i, at: 'x' });
      }),
    ),
  );
  const [code] = await childExit;
  assert.equal(code, 0);
  assert.match(childOutput, /done/);

  const check = new ProgressStore(dir);
  await check.load();
  const shared = check.get('shared');
  assert.equal(shared?.snapshots.length, 40);
  assert.deepEqual(
    shared?.hints.map((h) => h.index).sort((a, b) => a - b),
    Array.from({ length: 40 }, (_, i) => i),
  );
});

test('active time counts heartbeat gaps only up to the idle cap', async () => {
  const clock = manualClock();
  const store = new ProgressStore(freshDir(), { clock: clock.now, idleCapSeconds: 300 });
  await store.load();
  await store.recordActivity('e');
  clock.advance(60);
  await store.recordActivity('e');
  clock.advance(60);
  await store.recordActivity('e');
  clock.advance(3_600); // walked away for an hour: only the cap counts
  await store.recordActivity('e');
  clock.advance(30);
  const progress = await store.recordActivity('e');
  assert.equal(progress.activeSeconds, 60 + 60 + 300 + 30);
  assert.equal(progress.lastActivity, '2026-01-05T10:02:30.000Z');
});

test('solved is set once, when the latest tests and leak check are both green', async () => {
  const clock = manualClock();
  const store = new ProgressStore(freshDir(), { clock: clock.now });
  await store.load();
  await store.recordLeakCheck('e', { verdict: 'no-leak', bytesPerRequest: 3 });
  clock.advance(10);
  let progress = await store.recordTestRun('e', { passed: 2, failed: 1, skipped: 0 });
  assert.equal(progress.solved, undefined);
  clock.advance(10);
  progress = await store.recordTestRun('e', { passed: 3, failed: 0, skipped: 0 });
  assert.equal(progress.solved, '2026-01-05T09:00:20.000Z');
  clock.advance(10);
  progress = await store.recordLeakCheck('e', { verdict: 'leak', bytesPerRequest: 900 });
  assert.equal(progress.solved, '2026-01-05T09:00:20.000Z', 'solved stays solved');

  const other = new ProgressStore(freshDir(), { clock: clock.now });
  await other.load();
  await other.recordTestRun('e', { passed: 3, failed: 0, skipped: 0 });
  progress = await other.recordLeakCheck('e', { verdict: 'leak', bytesPerRequest: 900 });
  assert.equal(progress.solved, undefined);
  progress = await other.recordLeakCheck('e', { verdict: 'no-leak', bytesPerRequest: 1 });
  assert.equal(progress.solved, '2026-01-05T09:00:30.000Z');
});

test('hints are revealed in order, once, even when two windows click together', async () => {
  const dir = freshDir();
  const clock = manualClock();
  const a = new ProgressStore(dir, { clock: clock.now });
  const b = new ProgressStore(dir, { clock: clock.now });
  await Promise.all([a.load(), b.load()]);
  assert.deepEqual(await a.revealHint('e', 1, { size: 3 }), {
    allowed: false,
    reason: 'Reveal hint 1 before hint 2.',
    next: 0,
  });
  const both = await Promise.all([
    a.revealHint('e', 0, { size: 3 }),
    b.revealHint('e', 0, { size: 3 }),
  ]);
  assert.deepEqual(both.map((d) => d.allowed).sort(), [false, true]);
  clock.advance(5);
  assert.deepEqual(await b.revealHint('e', 1, { size: 3 }), { allowed: true, index: 1 });
  assert.deepEqual(await a.revealHint('e', 2, { size: 3 }), { allowed: true, index: 2 });
  assert.equal((await a.revealHint('e', 3, { size: 3 })).allowed, false);
  assert.deepEqual(await a.revealHint('no-hints', 0, { size: 0 }), {
    allowed: false,
    reason: 'This exercise has no hints.',
  });
  assert.deepEqual(a.get('e')?.hints, [
    { index: 0, at: '2026-01-05T09:00:00.000Z' },
    { index: 1, at: '2026-01-05T09:00:05.000Z' },
    { index: 2, at: '2026-01-05T09:00:05.000Z' },
  ]);
});

test("each leak's hints are a ladder of their own, recorded with the leak's number", async () => {
  const store = new ProgressStore(freshDir(), { clock: manualClock().now });
  await store.load();
  assert.deepEqual(await store.revealHint('e', 1, { leak: 2, size: 3 }), {
    allowed: false,
    reason: 'Reveal hint 1 for leak 2 before hint 2.',
    next: 0,
  });
  assert.deepEqual(await store.revealHint('e', 0, { leak: 2, size: 3 }), {
    allowed: true,
    index: 0,
  });
  // Leak 2's first rung does not count on leak 1's ladder, nor on the general one.
  assert.deepEqual(await store.revealHint('e', 0, { leak: 1, size: 3 }), {
    allowed: true,
    index: 0,
  });
  assert.deepEqual(await store.revealHint('e', 0, { size: 2 }), { allowed: true, index: 0 });
  assert.deepEqual(
    store.get('e')?.hints.map(({ leak, index }) => ({ leak, index })),
    [
      { leak: 2, index: 0 },
      { leak: 1, index: 0 },
      { leak: undefined, index: 0 },
    ],
  );
});

test('changes fire events, including changes another store wrote, found on load', async () => {
  const dir = freshDir();
  const a = new ProgressStore(dir);
  const b = new ProgressStore(dir);
  await Promise.all([a.load(), b.load()]);
  const seenByA: ProgressChange[] = [];
  const seenByB: ProgressChange[] = [];
  const subscription = a.onDidChange((change) => seenByA.push(change));
  b.onDidChange((change) => seenByB.push(change));

  await a.start('e', about);
  assert.deepEqual(
    seenByA.map((c) => [c.exerciseId, c.progress?.title]),
    [['e', 'User sessions']],
  );
  await b.load();
  assert.deepEqual(
    seenByB.map((c) => c.exerciseId),
    ['e'],
  );
  await b.load();
  assert.equal(seenByB.length, 1, 'an unchanged reload is quiet');
  subscription.dispose();
  await a.recordSnapshot('e');
  assert.equal(seenByA.length, 1, 'a disposed listener hears nothing');
});

test("a hint record's leak, when present, is a leak number from 1", () => {
  const file = (hint: Record<string, unknown>): unknown => ({
    schemaVersion: 1,
    exercises: {
      e: {
        exerciseId: 'e',
        set: '',
        title: 'E',
        started: '2026-01-05T09:00:00.000Z',
        activeSeconds: 0,
        hints: [{ index: 0, at: '2026-01-05T09:00:00.000Z', ...hint }],
        snapshots: [],
        testRuns: [],
        leakChecks: [],
      },
    },
  });
  assert.deepEqual(findProblems(file({})), []);
  assert.deepEqual(findProblems(file({ leak: 2 })), []);
  for (const leak of [0, 'profile-cache', 1.5])
    assert.deepEqual(findProblems(file({ leak })), [
      'exercises["e"].hints is not a list of valid entries',
    ]);
});
