import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { WorkerHeapAnalysis } from '../../../src/extension/explorer/workerAnalysis';
import type { Logger } from '../../../src/extension/logger';
import { generateTriple } from '../../fixtures/heap/generate';

// The transpiled heap worker of this build (dist/heapWorker.js in the extension).
const workerScript = join(__dirname, '../../../src/heap/worker.js');

const quiet: Logger = {
  trace: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  show: () => undefined,
  dispose: () => undefined,
};

let triple: ReturnType<typeof generateTriple>;
let heap: WorkerHeapAnalysis;
before(() => {
  triple = generateTriple('globalObject', 10);
  heap = new WorkerHeapAnalysis(workerScript, quiet);
});
after(() => {
  heap.dispose();
  rmSync(triple.dir, { recursive: true, force: true });
});

test('explorer queries name the snapshot by file; the worker opens it once and keeps the script map', async () => {
  const scripts = { 1: '/app/service.js' };
  const info = await heap.open(triple.target, { scripts });
  const classes = await heap.query(triple.target, 'classesPage', {
    query: { sort: { column: 'count', descending: true }, filter: 'userAgent', start: 0, count: 5 },
  });
  const [records] = classes.rows;
  assert.match(records.name, /userAgent/);
  const instances = await heap.query(triple.target, 'instancesPage', {
    className: records.name,
    start: 0,
    count: 3,
  });
  assert.equal(instances.total, records.count);
  const again = await heap.open(triple.target);
  assert.equal(again.handle, info.handle);
  const found = await heap.query(triple.target, 'node', { id: instances.rows[0].id });
  assert.equal(found?.node, instances.rows[0].node);
});

test('"allocated between" bounds and a comparison class\'s new objects come from the worker', async () => {
  const [first, second] = await Promise.all([
    heap.maxObjectId(triple.baseline),
    heap.maxObjectId(triple.target),
  ]);
  assert.ok(first > 0 && second > first);
  const idRange = { after: first, upTo: second };
  const page = await heap.query(triple.target, 'classesPage', {
    query: { sort: { column: 'count', descending: true }, filter: 'userAgent', start: 0, count: 5 },
    idRange,
  });
  // Ten records per step, plus V8's boilerplate of their literal at most.
  assert.ok(page.rows[0].count >= 10 && page.rows[0].count <= 11);
  const added = await heap.comparisonObjects({
    baseline: triple.baseline,
    target: triple.target,
    className: page.rows[0].name,
    side: 'new',
    start: 0,
    count: 50,
  });
  assert.equal(added.total, page.rows[0].count);
  assert.ok(added.rows.every((r) => r.id > first && r.id <= second));
});
