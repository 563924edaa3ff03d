import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { diffSnapshots } from '../../../src/heap/index';
import { generateTriple, type LeakKind } from '../../fixtures/heap/generate';

// Each generated service grows its leak by exactly K entries between three snapshots, while
// also replacing 200 short-lived objects: only the K survivors of baseline→target may count.
const K = 37;

const expectations: Record<LeakKind, { owner: string; name: RegExp; path: RegExp }> = {
  globalObject: {
    owner: 'activeSessionsCache',
    name: /activityLog/,
    path: /^\(global\) → activeSessionsCache → \d+$/,
  },
  moduleArray: {
    owner: 'activeProductRequests',
    name: /sku/,
    path: /activeProductRequests → \d+$/,
  },
  moduleMap: { owner: 'processedOrderCache', name: /at/, path: /processedOrderCache → \d+$/ },
};

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

for (const kind of Object.keys(expectations) as LeakKind[]) {
  describe(`a service leaking through ${kind}`, () => {
    const triple = generateTriple(kind, K);
    dirs.push(triple.dir);
    const expected = expectations[kind];

    test('three snapshots: the first suspect is the growing container, with exactly K objects', async () => {
      const result = await diffSnapshots(triple, { top: 5 });
      const [first] = result.suspects;
      assert.ok(first, 'a suspect');
      assert.equal(first.owner, expected.owner);
      assert.equal(first.count, K);
      assert.match(first.name, expected.name);
      assert.match(first.path.join(' → '), expected.path);
      assert.ok(first.retainedSize > 0);
      if (kind !== 'globalObject') {
        // Module scope: the function that closes over the container is in the service file.
        assert.ok(first.location, 'a location');
        assert.match(first.location.file, /service\.js$/);
        assert.ok(first.location.line >= 1 && first.location.column >= 1);
      }
    });

    test('two snapshots: per-class deltas by id, suspects among the new objects', async () => {
      const result = await diffSnapshots({ baseline: triple.baseline, target: triple.target });
      for (const row of result.classes) {
        assert.equal(row.countDelta, row.newCount - row.deletedCount);
        assert.ok(row.newCount + row.deletedCount > 0, `${row.name} changed`);
      }
      // Two snapshots cannot tell the leak from the replaced temporaries (both are new and
      // alive); the container is among the suspects, and the third snapshot ranks it first.
      const leak = result.suspects.find((s) => s.owner === expected.owner);
      assert.equal(leak?.count, K);
      // The churned temporaries were replaced: they show up as new and deleted in equal numbers.
      const objects = result.classes.find((c) => c.name === 'Object');
      assert.ok(objects && objects.newCount >= 200 && objects.deletedCount >= 200);
    });
  });
}
