import assert from 'node:assert/strict';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { HeapEngine } from '../../../src/heap/engine';
import { HeapSnapshotError } from '../../../src/heap/errors';
import { HeapWorkerClient } from '../../../src/heap/workerClient';
import { generateSnapshot, generateTriple } from '../../fixtures/heap/generate';

// The worker script is this build's transpiled src/heap/worker.js (dist/heapWorker.js in the
// extension): the test runs from out-*/test/unit/heap/.
const workerScript = join(__dirname, '../../../src/heap/worker.js');

let dir = '';
let file = '';
let triple: ReturnType<typeof generateTriple>;
let client: HeapWorkerClient;

before(() => {
  ({ dir, file } = generateSnapshot());
  triple = generateTriple('globalObject', 12);
  client = new HeapWorkerClient(workerScript);
});

after(async () => {
  await client.dispose();
  rmSync(dir, { recursive: true, force: true });
  rmSync(triple.dir, { recursive: true, force: true });
});

test('open reports progress, then classes, instances, children, retainers and paths page', async () => {
  const progress: number[] = [];
  const info = await client.call('open', { file }, { onProgress: (done) => progress.push(done) });
  assert.ok(info.nodeCount > 1000);
  assert.equal(progress.at(-1), info.fileSize);
  const query = {
    sort: { column: 'retainedSize' as const, descending: true },
    filter: '',
    start: 0,
    count: 5,
  };
  const page = await client.call('classesPage', { handle: info.handle, query });
  assert.equal(page.rows.length, 5);
  assert.ok(page.total > 5);
  assert.ok(page.rows[0].retainedSize >= page.rows[4].retainedSize);
  const filtered = await client.call('classesPage', {
    handle: info.handle,
    query: { ...query, filter: 'INDEX, LABEL', count: 50 },
  });
  // 300 list items, plus V8's literal boilerplate of the same shape.
  assert.deepEqual(
    filtered.rows.map((r) => r.name),
    ['{index, label}'],
  );
  assert.ok(filtered.rows[0].count >= 300);
  const instances = await client.call('instancesPage', {
    handle: info.handle,
    className: '{index, label}',
    start: 10,
    count: 20,
  });
  assert.equal(instances.total, filtered.rows[0].count);
  assert.equal(instances.rows.length, 20);
  const node = instances.rows[0].node;
  const children = await client.call('childrenPage', {
    handle: info.handle,
    node,
    start: 0,
    count: 10,
  });
  assert.ok(children.rows.some((r) => r.edgeName === 'label' && r.node.type === 'string'));
  const retainers = await client.call('retainersPage', {
    handle: info.handle,
    node,
    start: 0,
    count: 10,
  });
  assert.ok(retainers.rows.some((r) => r.edgeType === 'element'));
  const path = await client.call('path', { handle: info.handle, node });
  assert.deepEqual(path.labels.slice(0, 3), ['(global)', 'keep', 'list']);
  assert.equal(path.nodes.at(-1)?.node, node);
});

test('bad input comes back as a HeapSnapshotError with its byte offset', async () => {
  await assert.rejects(client.call('open', { file: join(dir, 'heap.js') }), (error: unknown) => {
    assert.ok(error instanceof HeapSnapshotError);
    assert.equal(error.byteOffset, 0);
    return true;
  });
});

test('a cancelled request rejects with AbortError and the worker keeps serving', async () => {
  const controller = new AbortController();
  const copy = join(dir, 'copy.heapsnapshot');
  copyFileSync(file, copy);
  const opening = client.call('open', { file: copy }, { signal: controller.signal });
  controller.abort();
  await assert.rejects(opening, { name: 'AbortError' });
  const diff = await client.call('diff', { ...triple, top: 3 });
  assert.equal(diff.suspects[0]?.owner, 'activeSessionsCache');
  assert.equal(diff.suspects[0]?.count, 12);
});

test('the LRU keeps at most maxSnapshots open and evicts the least recently used', async () => {
  const engine = new HeapEngine({ maxSnapshots: 2, maxBytes: Number.MAX_SAFE_INTEGER });
  const a = await engine.handle('open', { file: triple.baseline });
  const b = await engine.handle('open', { file: triple.target });
  await engine.handle('summary', { handle: a.handle, top: 1 }); // a is now more recent than b
  await engine.handle('open', { file: triple.final });
  assert.deepEqual(
    engine.openSnapshots().map((s) => s.file),
    [triple.final, triple.baseline],
  );
  await assert.rejects(engine.handle('summary', { handle: b.handle }), HeapSnapshotError);
  const bytes = new HeapEngine({ maxSnapshots: 10, maxBytes: 1 });
  await bytes.handle('open', { file: triple.baseline });
  await bytes.handle('open', { file: triple.target });
  assert.deepEqual(
    bytes.openSnapshots().map((s) => s.file),
    [triple.target],
  );
  engine.dispose();
  bytes.dispose();
});
