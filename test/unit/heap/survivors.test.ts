import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { diffSnapshots } from '../../../src/heap';
import { generateTriple } from '../../fixtures/heap/generate';

test('survivors are exactly what was allocated between snapshots 1 and 2 and lives in 3', async () => {
  const perStep = 400;
  const triple = generateTriple('moduleArray', perStep);
  try {
    const { survivors } = await diffSnapshots(triple);
    assert.ok(survivors, 'a three-snapshot diff counts survivors');
    const records = survivors.classes.find((c) => c.name.startsWith('{sku'));
    // The records pushed between the first two snapshots, not the churn replaced at each step.
    assert.equal(records?.count, perStep);
    assert.ok(!survivors.classes.some((c) => c.name === '{temporary}'));
    assert.ok(survivors.bytes >= records.bytes);
    // The list is the program's own, largest first, at most ten classes.
    assert.ok(survivors.classes.length <= 10);
    for (let i = 1; i < survivors.classes.length; i++)
      assert.ok(survivors.classes[i - 1]!.bytes >= survivors.classes[i]!.bytes);
    assert.ok(
      !survivors.classes.some((c) => c.name === '(compiled code)' || c.name === '(system)'),
    );
  } finally {
    rmSync(triple.dir, { recursive: true, force: true });
  }
});

test('a two-snapshot diff counts no survivors', async () => {
  const triple = generateTriple('moduleMap', 50);
  try {
    const result = await diffSnapshots({ baseline: triple.baseline, target: triple.target });
    assert.equal(result.survivors, undefined);
  } finally {
    rmSync(triple.dir, { recursive: true, force: true });
  }
});
