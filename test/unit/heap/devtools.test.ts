import assert from 'node:assert/strict';
import { createReadStream, rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { openSnapshot, readSnapshot, summarize } from '../../../src/heap/index';
import { HeapSnapshot as Snapshot } from '../../../src/heap/snapshot';
import type { HeapSnapshot } from '../../../src/heap/snapshot';
import { generateSnapshot, generateTriple } from '../../fixtures/heap/generate';

// Cross-check against Chrome DevTools' own loader (heap-snapshot-toolkit packages it). Rules
// that differ on purpose: DevTools (2024+) calls closures "Function", the engine "(closure)".

interface DevToolsSnapshot {
  nodeCount: number;
  totalSize: number;
  retainedSizes: Float64Array;
  nodeDistances: Int32Array;
  aggregatesWithFilter(
    filter: object,
  ): Record<string, { name: string; count: number; self: number; maxRet: number }>;
}

async function devtools(file: string): Promise<DevToolsSnapshot> {
  const toolkit = (await import('heap-snapshot-toolkit')) as unknown as {
    parse(stream: NodeJS.ReadableStream): Promise<DevToolsSnapshot>;
  };
  return toolkit.parse(createReadStream(file));
}

const files: { dir: string; file: string }[] = [];
let cases: { file: string; ours: HeapSnapshot; theirs: DevToolsSnapshot }[] = [];

before(async () => {
  const one = generateSnapshot();
  const triple = generateTriple('moduleMap', 30);
  files.push(one, { dir: triple.dir, file: triple.final });
  cases = await Promise.all(
    files.map(async ({ file }) => ({
      file,
      ours: await openSnapshot(file),
      theirs: await devtools(file),
    })),
  );
});

after(() => {
  for (const { dir } of files) rmSync(dir, { recursive: true, force: true });
});

test('per-class counts and self sizes are identical to DevTools', () => {
  for (const { file, ours, theirs } of cases) {
    const expected = new Map<string, { count: number; self: number; ret: number }>();
    for (const aggregate of Object.values(theirs.aggregatesWithFilter({}))) {
      const name = aggregate.name === 'Function' ? '(closure)' : aggregate.name;
      const row = expected.get(name) ?? { count: 0, self: 0, ret: 0 };
      row.count += aggregate.count;
      row.self += aggregate.self;
      row.ret += aggregate.maxRet;
      expected.set(name, row);
    }
    const actual = new Map(summarize(ours).classes.map((c) => [c.name, c]));
    assert.equal(actual.size, expected.size, `${file}: number of classes`);
    for (const [name, row] of expected) {
      const mine = actual.get(name);
      assert.ok(mine, `${file}: class ${name} is missing`);
      assert.equal(mine.count, row.count, `${file}: count of ${name}`);
      assert.equal(mine.selfSize, row.self, `${file}: self size of ${name}`);
      assert.equal(mine.retainedSize, row.ret, `${file}: retained size of ${name}`);
    }
    assert.equal(ours.totalSize, theirs.totalSize, `${file}: total size`);
  }
});

test('retained sizes of the 50 largest objects and all distances are identical to DevTools', () => {
  for (const { file, ours, theirs } of cases) {
    assert.equal(ours.nodeCount, theirs.nodeCount);
    const largest = Array.from(theirs.retainedSizes.keys())
      .sort((a, b) => theirs.retainedSizes[b] - theirs.retainedSizes[a])
      .slice(0, 50);
    for (const n of largest)
      assert.equal(
        ours.retained[n],
        theirs.retainedSizes[n],
        `${file}: retained size of node ${n}`,
      );
    // Every node, not just the largest: dominators and the essential-edge rules agree.
    assert.deepEqual(ours.retained, theirs.retainedSizes, `${file}: all retained sizes`);
    assert.deepEqual(ours.distance, theirs.nodeDistances, `${file}: distances`);
  }
});

test('dominators computed on a worker thread equal the in-process ones', async () => {
  const { file, ours } = cases[0];
  const threaded = await Snapshot.analyze(await readSnapshot(file), undefined, {
    dominatorWorkerMinNodes: 0,
  });
  assert.deepEqual(threaded.dominator, ours.dominator);
  assert.deepEqual(threaded.retained, ours.retained);
});
