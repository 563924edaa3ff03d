import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { HeapEngine } from '../../../src/heap/engine';
import { diffSnapshots } from '../../../src/heap/index';
import { generateTriple } from '../../fixtures/heap/generate';
import { captureIo } from '../../support/cliIo';

// V8 object ids compare only within one process, and only grow: a diff of snapshots from
// different processes, or given newest first, must be refused (CLI) or flagged (explorer), not
// answered with a plausible list of suspects or "No leak suspects".

let one: ReturnType<typeof generateTriple>;
let other: ReturnType<typeof generateTriple>;
before(() => {
  one = generateTriple('globalObject', 300);
  other = generateTriple('moduleMap', 300);
});
after(() => {
  rmSync(one.dir, { recursive: true, force: true });
  rmSync(other.dir, { recursive: true, force: true });
});

test('snapshots of one process in the order taken are not flagged', async () => {
  const three = await diffSnapshots(one);
  assert.equal(three.mismatch, undefined);
  assert.ok(three.suspects.length > 0);
  const two = await diffSnapshots({ baseline: one.baseline, target: one.final });
  assert.equal(two.mismatch, undefined);
});

test('snapshots given newest first are flagged with the order they were taken in', async () => {
  const reversed = await diffSnapshots({
    baseline: one.final,
    target: one.target,
    final: one.baseline,
  });
  assert.equal(reversed.mismatch?.kind, 'out-of-order');
  assert.deepEqual(
    reversed.mismatch?.kind === 'out-of-order' && reversed.mismatch.takenOrder,
    [2, 1, 0],
  );
  const swapped = await diffSnapshots({ baseline: one.target, target: one.baseline });
  assert.equal(swapped.mismatch?.kind, 'out-of-order');
});

test('snapshots of different processes are flagged, whichever is in the middle', async () => {
  const mixed = await diffSnapshots({
    baseline: one.baseline,
    target: other.target,
    final: other.final,
  });
  assert.equal(mixed.mismatch?.kind, 'different-processes');
  const two = await diffSnapshots({ baseline: other.baseline, target: one.target });
  assert.equal(two.mismatch?.kind, 'different-processes');
  if (two.mismatch?.kind === 'different-processes') assert.ok(two.mismatch.agreement < 0.99);
});

test('the CLI refuses a reversed diff, saying the order to give', async () => {
  const io = captureIo({ cwd: one.dir });
  const given = [one.final, one.target, one.baseline].map((f) => basename(f));
  assert.equal(await runCli(['diff', ...given], io), 2);
  assert.deepEqual(io.stdout, []);
  assert.equal(io.stderr.length, 1);
  assert.match(
    io.stderr[0]!,
    /not in the order they were taken: 2\.heapsnapshot is older than 3\.heapsnapshot .*Oldest first: leakhunt diff 1\.heapsnapshot 2\.heapsnapshot 3\.heapsnapshot$/,
  );
});

test('the CLI refuses snapshots of three processes, also with --json', async () => {
  const third = generateTriple('moduleArray', 50);
  try {
    for (const extra of [[], ['--json']]) {
      const io = captureIo();
      assert.equal(
        await runCli(['diff', one.baseline, other.target, third.final, ...extra], io),
        2,
      );
      assert.deepEqual(io.stdout, []);
      assert.match(io.stderr.join('\n'), /are snapshots of different processes .*meaningless/);
    }
  } finally {
    rmSync(third.dir, { recursive: true, force: true });
  }
});

test('the explorer comparison carries the mismatch with its rows', async () => {
  const engine = new HeapEngine();
  const query = {
    filter: '',
    sort: { column: 'sizeDelta' as const, descending: true },
    start: 0,
    count: 5,
  };
  const reversed = await engine.handle('comparisonPage', {
    baseline: one.final,
    target: one.baseline,
    query,
  });
  assert.equal(reversed.mismatch?.kind, 'out-of-order');
  assert.ok(reversed.rows.length > 0);
  const fine = await engine.handle('comparisonPage', {
    baseline: one.baseline,
    target: one.final,
    query,
  });
  assert.equal(fine.mismatch, undefined);
  engine.dispose();
});

test('a bad file in a three-file diff is named', async () => {
  const bad = join(one.dir, 'cut.heapsnapshot');
  writeFileSync(bad, '{"snapshot":{"meta":');
  const io = captureIo();
  assert.equal(await runCli(['diff', one.baseline, bad, one.final], io), 2);
  assert.match(io.stderr.join('\n'), /cut\.heapsnapshot: the file is truncated/);
});
