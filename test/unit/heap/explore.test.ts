import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { diffSnapshots } from '../../../src/heap/analysis';
import { HeapEngine } from '../../../src/heap/engine';
import type { EdgeRow, NodeRow, OpenSnapshotInfo } from '../../../src/heap/protocol';

// Two snapshots of one process, allocations tracked: a class with primitive fields, hostile and
// huge strings, a cycle, a weak reference, a module variable held by a closure; between the
// two, new `{userAgent, ip, assignedId, activityLog}` records and dropped `{temporary}` ones.
const service = `'use strict';
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');
const session = new inspector.Session();
session.connect();
const post = (method, params) =>
  new Promise((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
async function snapshot(file) {
  const chunks = [];
  const collect = (message) => chunks.push(message.params.chunk);
  session.on('HeapProfiler.addHeapSnapshotChunk', collect);
  await post('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  session.off('HeapProfiler.addHeapSnapshotChunk', collect);
  writeFileSync(file, chunks.join(''));
}
class ProbeSession {
  constructor(i) {
    this.user = 'user-' + i;
    this.active = i % 2 === 0;
    this.nothing = null;
    this.missing = undefined;
  }
}
const moduleCache = new Map([['k', 'v']]);
const weakTarget = { weaklyHeld: true };
(async () => {
  await post('HeapProfiler.enable');
  await post('HeapProfiler.startTrackingHeapObjects', { trackAllocations: true });
  const cycle = { name: 'cycle' };
  cycle.self = cycle;
  globalThis.explorerProbe = {
    hostile: '<img src=x onerror=alert(1)>"\\\\\\u202e\\u0007',
    huge: Buffer.alloc(300000, 'y').toString(),
    sessions: Array.from({ length: 50 }, (_, i) => new ProbeSession(i)),
    cycle,
    weak: new WeakRef(weakTarget),
    handler: function namedHandler() { return moduleCache; },
    ['<b onmouseover=alert(1)>\\u202e']: 'hostile key',
    ['k'.repeat(5000)]: 'huge key',
  };
  globalThis.churn = Array.from({ length: 40 }, (_, i) => ({ temporary: 't' + i }));
  await snapshot(process.argv[2]);
  globalThis.churn = null;
  globalThis.records = Array.from({ length: 30 }, (_, i) => ({
    userAgent: 'curl/8', ip: '127.0.0.1', assignedId: 'anonymous-' + i, activityLog: [],
  }));
  await snapshot(process.argv[3]);
  process.exit(0);
})();
`;

let dir = '';
let first = '';
let second = '';
let script = '';
const engine = new HeapEngine();
let info: OpenSnapshotInfo;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'leakhunt-explore-'));
  script = join(dir, 'service.js');
  first = join(dir, '1.heapsnapshot');
  second = join(dir, '2.heapsnapshot');
  writeFileSync(script, service);
  execFileSync(process.execPath, [script, first, second], { stdio: 'ignore', timeout: 60_000 });
});

after(() => {
  engine.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function open(file = first): Promise<OpenSnapshotInfo> {
  info = await engine.handle('open', { file });
  return info;
}

async function children(node: number): Promise<EdgeRow[]> {
  const page = await engine.handle('childrenPage', {
    handle: info.handle,
    node,
    start: 0,
    count: 200,
  });
  return page.rows;
}

async function probe(): Promise<Map<string, EdgeRow>> {
  const global = (await engine.handle('instancesPage', {
    handle: info.handle,
    className: 'Object',
    start: 0,
    count: 200,
  })) as { rows: NodeRow[] };
  for (const row of global.rows) {
    const edges = await children(row.node);
    if (edges.some((e) => e.edgeName === 'hostile'))
      return new Map(edges.map((e) => [e.edgeName, e]));
  }
  throw new Error('explorerProbe not found');
}

const lineOf = (text: string): number =>
  service.split('\n').findIndex((line) => line.includes(text)) + 1;

test('instances of a class: largest retained first, with previews, distances and where the constructor is', async () => {
  await open();
  const page = await engine.handle('instancesPage', {
    handle: info.handle,
    className: 'ProbeSession',
    start: 0,
    count: 20,
  });
  assert.equal(page.total, 50);
  assert.equal(page.rows.length, 20);
  const retained = page.rows.map((r) => r.retainedSize);
  assert.deepEqual(
    retained,
    [...retained].sort((a, b) => b - a),
  );
  const row = page.rows[0];
  assert.equal(row.className, 'ProbeSession');
  assert.ok(row.distance > 0);
  assert.ok(row.hasChildren);
  assert.equal(row.preview?.kind, 'object');
  assert.match(
    row.preview?.text ?? '',
    /^\{user: "user-\d+", active: (true|false), nothing: null, missing: undefined/,
  );
  assert.equal(row.location?.file, script);
  assert.equal(row.location?.line, lineOf('constructor(i)'));
  const byId = await engine.handle('instancesPage', {
    handle: info.handle,
    className: 'ProbeSession',
    start: 45,
    count: 20,
    sort: { column: 'id', descending: false },
  });
  assert.equal(byId.rows.length, 5);
  const ids = byId.rows.map((r) => r.id);
  assert.deepEqual(
    ids,
    [...ids].sort((a, b) => a - b),
  );
});

test('properties preview strings, booleans, null and undefined; hostile strings come back as they are, huge ones cut', async () => {
  await open();
  const props = await probe();
  const hostile = props.get('hostile')!.node;
  assert.deepEqual(hostile.preview, {
    kind: 'string',
    text: '<img src=x onerror=alert(1)>"\\\u202e\u0007',
  });
  assert.equal(props.get('<b onmouseover=alert(1)>\u202e')?.node.preview?.text, 'hostile key');
  assert.ok(props.has(`${'k'.repeat(200)}…`), 'a huge property name is cut');
  const huge = props.get('huge')!.node;
  assert.equal(huge.preview?.kind, 'string');
  assert.equal(huge.preview?.text, 'y'.repeat(200));
  assert.equal(huge.preview?.truncated, true);
  assert.ok(huge.name.length <= 201 && huge.name.endsWith('…'));
  const session = (await children(props.get('sessions')!.node.node)).find(
    (e) => e.edgeName === 'elements',
  )!;
  const element = (await children(session.node.node)).find(
    (e) => e.node.className === 'ProbeSession',
  )!;
  const fields = new Map((await children(element.node.node)).map((e) => [e.edgeName, e.node]));
  assert.equal(fields.get('user')?.preview?.text.startsWith('user-'), true);
  assert.equal(fields.get('active')?.preview?.kind, 'boolean');
  assert.equal(fields.get('nothing')?.preview?.kind, 'null');
  assert.equal(fields.get('missing')?.preview?.kind, 'undefined');
  const handler = props.get('handler')!.node;
  assert.equal(handler.type, 'closure');
  assert.equal(handler.location?.file, script);
  assert.equal(handler.location?.line, lineOf('function namedHandler'));
  // The closure's scope (context) leads to the same function.
  const context = (await children(handler.node)).find((e) => e.edgeName === 'context')!.node;
  assert.equal(context.location?.file, script);
});

test('retainers: strong before weak, nearest first, cycles marked', async () => {
  await open();
  const props = await probe();
  const cycle = props.get('cycle')!.node;
  const retainers = await engine.handle('retainersPage', {
    handle: info.handle,
    node: cycle.node,
    start: 0,
    count: 50,
  });
  const self = retainers.rows.find((r) => r.edgeName === 'self')!;
  assert.equal(self.cycle, true);
  assert.equal(retainers.rows.find((r) => r.edgeName === 'cycle')?.cycle, undefined);
  const strong = retainers.rows.filter((r) => !r.weak).map((r) => r.node.distance);
  assert.deepEqual(
    strong,
    [...strong].sort((a, b) => (a < 0 ? 1e9 : a) - (b < 0 ? 1e9 : b)),
  );
  // An ancestor given by the tree closes a cycle too.
  const probeNode = retainers.rows.find((r) => r.edgeName === 'cycle')!.node.node;
  const up = await engine.handle('retainersPage', {
    handle: info.handle,
    node: probeNode,
    start: 0,
    count: 50,
    ancestors: [cycle.node],
  });
  assert.ok(up.rows.every((r) => r.cycle !== true || r.node.node === cycle.node));
  // The WeakRef's target: held weakly by the WeakRef, strongly by the module scope.
  const weakRef = props.get('weak')!.node;
  const target = (await children(weakRef.node)).find((e) => e.weak)!.node;
  const held = await engine.handle('retainersPage', {
    handle: info.handle,
    node: target.node,
    start: 0,
    count: 50,
  });
  const weakAt = held.rows.findIndex((r) => r.weak);
  assert.ok(weakAt > 0, 'a weak retainer, after a strong one');
  assert.ok(held.rows.slice(weakAt).every((r) => r.weak));
});

test('search by @id finds the object; an unknown id finds nothing', async () => {
  await open();
  const [session] = (
    await engine.handle('instancesPage', {
      handle: info.handle,
      className: 'ProbeSession',
      start: 0,
      count: 1,
    })
  ).rows;
  const found = await engine.handle('node', { handle: info.handle, id: session.id });
  assert.equal(found?.node, session.node);
  assert.equal(await engine.handle('node', { handle: info.handle, id: 2 ** 31 + 1 }), null);
});

test('dominators page largest first; the treemap folds the rest into other', async () => {
  await open();
  const top = await engine.handle('dominatorsPage', {
    handle: info.handle,
    node: 0,
    start: 0,
    count: 10,
  });
  assert.ok(top.total > 10);
  const sizes = top.rows.map((r) => r.retainedSize);
  assert.deepEqual(
    sizes,
    [...sizes].sort((a, b) => b - a),
  );
  const all = await engine.handle('dominatorsPage', {
    handle: info.handle,
    node: 0,
    start: 0,
    count: top.total,
  });
  const map = await engine.handle('treemap', { handle: info.handle, depth: 2, breadth: 3 });
  assert.equal(map.children.length, 3);
  assert.deepEqual(
    map.children.map((c) => c.node),
    all.rows.slice(0, 3).map((r) => r.node),
  );
  assert.ok(map.children.every((c) => c.children.length <= 3));
  const everything = all.rows.reduce((sum, r) => sum + r.retainedSize, 0);
  const shown = map.children.reduce((sum, c) => sum + c.retainedSize, 0);
  assert.equal(map.other?.count, top.total - 3);
  assert.equal(map.other?.retainedSize, everything - shown);
  // Bounded whatever is asked.
  const wide = await engine.handle('treemap', { handle: info.handle, depth: 99, breadth: 999 });
  assert.ok(wide.children.length <= 20);
});

test('containment starts at the roots and lists the module scopes; statistics add up', async () => {
  await open();
  const { roots, modules } = await engine.handle('containment', { handle: info.handle });
  assert.ok(roots.some((r) => r.node.name === '(GC roots)'));
  assert.ok(modules.some((m) => m.label === '(module service.js)'));
  const stats = await engine.handle('statistics', { handle: info.handle });
  assert.ok(stats.strings >= 300000, 'the huge string counts as strings');
  assert.ok(stats.jsArrays > 0 && stats.code > 0);
  const parts = stats.code + stats.strings + stats.jsArrays + stats.typedArrays + stats.system;
  assert.equal(stats.other, stats.total - parts);
});

test('allocation stack of an object from a tracked snapshot points at its constructor call', async () => {
  await open();
  assert.equal(info.hasAllocationTraces, true);
  const [session] = (
    await engine.handle('instancesPage', {
      handle: info.handle,
      className: 'ProbeSession',
      start: 0,
      count: 1,
      sort: { column: 'id', descending: true },
    })
  ).rows;
  const site = await engine.handle('allocationStack', { handle: info.handle, node: session.node });
  assert.ok(site);
  // `new` allocates in the caller, before the constructor runs.
  assert.equal(site.stack[0].file, script);
  assert.equal(site.stack[0].line, lineOf('new ProbeSession(i)'));
});

test('comparison names classes as the Summary does, with DevTools columns and its new and deleted objects', async () => {
  const query = {
    sort: { column: 'newCount' as const, descending: true },
    filter: '',
    start: 0,
    count: 100_000,
  };
  const comparison = await engine.handle('comparisonPage', {
    baseline: first,
    target: second,
    query,
  });
  assert.equal(comparison.mismatch, undefined);
  const records = comparison.rows.find(
    (r) => r.name === '{userAgent, ip, assignedId, activityLog}',
  );
  assert.ok(records, 'the records are named by their shape, as in the Summary');
  // The 30 records and V8's boilerplate of their literal.
  assert.equal(records.newCount, 31);
  assert.equal(records.sizeDelta, records.addedSize - records.removedSize);
  const churn = comparison.rows.find((r) => r.name === '{temporary}');
  assert.equal(churn?.deletedCount, 40);
  assert.ok(churn.removedSize > 0);
  const added = await engine.handle('comparisonObjectsPage', {
    baseline: first,
    target: second,
    className: records.name,
    side: 'new',
    start: 0,
    count: 50,
  });
  assert.equal(added.total, 31);
  assert.ok(added.rows.every((r) => r.className === records.name && r.retainedSize > 0));
  const deleted = await engine.handle('comparisonObjectsPage', {
    baseline: first,
    target: second,
    className: '{temporary}',
    side: 'deleted',
    start: 0,
    count: 50,
  });
  assert.equal(deleted.total, 40);
  // Deleted rows are objects of the baseline, expandable there.
  const baseline = await open(first);
  const temporary = await engine.handle('childrenPage', {
    handle: baseline.handle,
    node: deleted.rows[0].node,
    start: 0,
    count: 10,
  });
  assert.ok(temporary.rows.some((r) => r.edgeName === 'temporary'));
  // The CLI's and Find Leak's diff name them the same way.
  const diff = await diffSnapshots({ baseline: first, target: second });
  assert.equal(diff.classes.find((c) => c.name === '{temporary}')?.deletedCount, 40);
});

test('"allocated between" keeps the objects whose ids are in the range, in classes and instances', async () => {
  const earlier = await open(first);
  const later = await open(second);
  assert.equal(await engine.handle('maxObjectId', { file: first }), earlier.maxObjectId);
  const idRange = { after: earlier.maxObjectId, upTo: later.maxObjectId };
  const page = await engine.handle('classesPage', {
    handle: later.handle,
    query: { sort: { column: 'count', descending: true }, filter: '', start: 0, count: 1000 },
    idRange,
  });
  const records = page.rows.find((r) => r.name === '{userAgent, ip, assignedId, activityLog}');
  assert.equal(records?.count, 31);
  assert.ok(records.retainedSize >= records.selfSize);
  assert.equal(
    page.rows.find((r) => r.name === 'ProbeSession'),
    undefined,
  );
  const instances = await engine.handle('instancesPage', {
    handle: later.handle,
    className: records.name,
    start: 0,
    count: 100,
    idRange,
  });
  assert.equal(instances.total, 31);
  assert.ok(instances.rows.every((r) => r.id > idRange.after && r.id <= idRange.upTo));
});
