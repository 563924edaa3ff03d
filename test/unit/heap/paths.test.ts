import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openSnapshot } from '../../../src/heap/index';
import {
  pathLabels,
  preferredRetainerPath,
  retainerPath,
  type RetainerPath,
} from '../../../src/heap/paths';
import type { HeapSnapshot } from '../../../src/heap/snapshot';
import { findSuspects } from '../../../src/heap/suspects';

// Each service keeps SessionRecords in a cache its request handler closes over, while its
// http server listens: Node's connection-checking interval then reaches the server (and the
// handler, and the cache) from `(global) → setImmediate → timerListMap → …` in fewer steps
// than the loader reaches the module scope, so the BFS path runs through the timer list.
const RECORDS = 20;

const record = `class SessionRecord {
  constructor(id) { this.id = id; this.activityLog = Array(20).fill('visit ' + id); }
}`;

/** CommonJS: `cache` and `server` in module scope. */
const commonJs = `'use strict';
const http = require('node:http');
const v8 = require('node:v8');
${record}
const cache = {};
const server = http.createServer((req, res) => {
  cache[req.url] = new SessionRecord(req.url);
  res.end();
});
server.listen(0, '127.0.0.1', () => {
  for (let i = 1; i <= ${RECORDS}; i++) cache[4700 + i] = new SessionRecord(i);
  v8.writeHeapSnapshot(process.argv[2]);
  server.close();
});
`;

/** The same as an ES module. */
const esModule = `import http from 'node:http';
import v8 from 'node:v8';
${record}
const cache = {};
const server = http.createServer((req, res) => {
  cache[req.url] = new SessionRecord(req.url);
  res.end();
});
server.listen(0, '127.0.0.1', () => {
  for (let i = 1; i <= ${RECORDS}; i++) cache[4700 + i] = new SessionRecord(i);
  v8.writeHeapSnapshot(process.argv[2]);
  server.close();
});
`;

/**
 * CommonJS with nothing in module scope: `cache` lives in the scope of `createService`, which
 * then sits right below the native context like a module's scope, but is not one.
 */
const functionScope = `'use strict';
function createService(http, v8, file) {
  ${record}
  const cache = {};
  const server = http.createServer((req, res) => {
    cache[req.url] = new SessionRecord(req.url);
    res.end();
  });
  server.listen(0, '127.0.0.1', () => {
    for (let i = 1; i <= ${RECORDS}; i++) cache[4700 + i] = new SessionRecord(i);
    v8.writeHeapSnapshot(file);
    server.close();
  });
}
createService(require('node:http'), require('node:v8'), process.argv[2]);
`;

/**
 * Connections held by a module's Map and, each, by its own listener's closure: a Map entry is
 * one step like an index, so the Map (the owner) reads shorter than `_events → pause:7 → …`.
 */
const mapAndListeners = `'use strict';
const { EventEmitter } = require('node:events');
class Connection {
  constructor(id) { this.id = id; }
  pause() {}
}
const processor = new EventEmitter();
processor.connections = new Map();
function track(connection) {
  processor.connections.set('conn-' + connection.id, connection);
  processor.on('pause:' + connection.id, () => connection.pause());
}
for (let i = 1; i <= ${RECORDS}; i++) track(new Connection(i));
require('node:v8').writeHeapSnapshot(process.argv[2]);
`;

/**
 * A service every connection's timer closure captures as `this` (more retainers than the
 * search follows of one kind), and that one scope of `createApp` holds as `live`: the scope
 * holding it by name must not be dropped among the hundred holding `this`.
 */
const CONNECTIONS = 100;
const sharedService = `'use strict';
class Connection {
  constructor(id) { this.id = id; }
}
class Live {
  constructor() { this.connections = new Map(); }
  connect(id) {
    const connection = new Connection(id);
    this.connections.set(id, connection);
    setInterval(() => this.ping(connection), 1e9);
  }
  ping() {}
}
function openAll(live) {
  for (let i = 0; i < ${CONNECTIONS}; i++) live.connect(i);
  return live;
}
function createApp(live) {
  return { shutdown() { live.connections.clear(); } };
}
const app = createApp(openAll(new Live()));
module.exports = { stop: () => app.shutdown() };
require('node:v8').writeHeapSnapshot(process.argv[2]);
process.exit(0);
`;

/**
 * A module-level cache, of which a few records are also captured by pending timers: the BFS
 * reaches those through the timer list (each one by a different `_idleNext` chain) and the
 * others through the module's exports, but every record reads `(module …) → cache → N`.
 */
const TIMED = 5;
const timedRecords = `'use strict';
${record}
const cache = {};
for (let i = 1; i <= ${RECORDS}; i++) cache[4700 + i] = new SessionRecord(i);
exports.lookup = (id) => cache[id];
for (let i = 1; i <= ${TIMED}; i++) {
  const record = cache[4700 + i];
  setTimeout(() => record.id, 1e9);
}
setImmediate(() => {
  require('node:v8').writeHeapSnapshot(process.argv[2]);
  process.exit(0);
});
`;

const dir = mkdtempSync(join(tmpdir(), 'leakhunt-paths-'));
const snapshots = new Map<string, HeapSnapshot>();

/** Runs `source` as `name` in a child Node process and analyses the snapshot it writes. */
async function snapshotOf(name: string, source: string): Promise<HeapSnapshot> {
  const script = join(dir, name);
  const file = join(dir, `${name}.heapsnapshot`);
  writeFileSync(script, source);
  execFileSync(process.execPath, [script, file], { stdio: 'ignore', timeout: 60_000 });
  return openSnapshot(file);
}

before(async () => {
  snapshots.set('service.js', await snapshotOf('service.js', commonJs));
  snapshots.set('service.mjs', await snapshotOf('service.mjs', esModule));
  snapshots.set('factory.js', await snapshotOf('factory.js', functionScope));
  snapshots.set('map.js', await snapshotOf('map.js', mapAndListeners));
  snapshots.set('live.js', await snapshotOf('live.js', sharedService));
  snapshots.set('timed.js', await snapshotOf('timed.js', timedRecords));
});

after(() => rmSync(dir, { recursive: true, force: true }));

function instances(snapshot: HeapSnapshot, className = 'SessionRecord', count = RECORDS): number[] {
  const found: number[] = [];
  for (let n = 0; n < snapshot.nodeCount; n++)
    if (snapshot.className(n) === className) found.push(n);
  assert.equal(found.length, count, `one ${className} per entry`);
  return found;
}

const text = (snapshot: HeapSnapshot, path: RetainerPath): string =>
  pathLabels(snapshot, path).join(' → ');

for (const file of ['service.js', 'service.mjs']) {
  describe(`a cache in the module scope of ${file}`, () => {
    test('the BFS path runs through the timer list, the preferred one through the variable', () => {
      const snapshot = snapshots.get(file) as HeapSnapshot;
      for (const n of instances(snapshot)) {
        const shortest = text(snapshot, retainerPath(snapshot, n));
        // The case this preference exists for; if Node stops producing it, this test is moot.
        assert.match(shortest, /timerListMap .*→ cache → \d+$/, 'BFS path');
        assert.match(
          text(snapshot, preferredRetainerPath(snapshot, n)),
          new RegExp(`^\\(module ${file.replace('.', '\\.')}\\) → cache → 47\\d\\d$`),
        );
      }
    });

    test('the suspect shows that path and names the variable as its owner', () => {
      const snapshot = snapshots.get(file) as HeapSnapshot;
      const survivors = new Uint8Array(snapshot.nodeCount);
      for (const n of instances(snapshot)) survivors[n] = 1;
      const [suspect] = findSuspects(snapshot, survivors);
      assert.equal(suspect?.name, 'SessionRecord');
      assert.equal(suspect.count, RECORDS);
      assert.equal(suspect.owner, 'cache');
      assert.deepEqual(suspect.path.slice(0, 2), [`(module ${file})`, 'cache']);
      assert.match(suspect.location?.file ?? '', new RegExp(`${file.replace('.', '\\.')}$`));
    });

    test('the search gives up within its limits and keeps the BFS path', () => {
      const snapshot = snapshots.get(file) as HeapSnapshot;
      const [n] = instances(snapshot);
      assert.deepEqual(
        preferredRetainerPath(snapshot, n, { maxNodes: 1, maxEdges: Infinity }),
        retainerPath(snapshot, n),
      );
    });
  });
}

test('a function scope below the native context is not taken for a module scope', () => {
  const snapshot = snapshots.get('factory.js') as HeapSnapshot;
  for (const n of instances(snapshot)) {
    const labels = pathLabels(snapshot, preferredRetainerPath(snapshot, n));
    assert.equal(labels[0], '(global)', labels.join(' → '));
    assert.match(labels.join(' → '), /→ cache → 47\d\d$/);
  }
});

test('a Map entry counts as one step: the path runs through the Map, not a listener', () => {
  const snapshot = snapshots.get('map.js') as HeapSnapshot;
  const connections = instances(snapshot, 'Connection');
  for (const n of connections) {
    const labels = pathLabels(snapshot, preferredRetainerPath(snapshot, n));
    assert.match(labels.join(' → '), /^\(module map\.js\) → processor → connections → \d+$/);
  }
  const survivors = new Uint8Array(snapshot.nodeCount);
  for (const n of connections) survivors[n] = 1;
  assert.equal(findSuspects(snapshot, survivors)[0]?.owner, 'connections');
});

test('among many scopes holding a shared service as `this`, the one naming it is followed', () => {
  const snapshot = snapshots.get('live.js') as HeapSnapshot;
  for (const n of instances(snapshot, 'Connection', CONNECTIONS)) {
    assert.match(text(snapshot, retainerPath(snapshot, n)), /timerListMap/, 'BFS path');
    assert.match(
      text(snapshot, preferredRetainerPath(snapshot, n)),
      /^\(module live\.js\) → app → shutdown → live → connections → \d+$/,
    );
  }
});

test('objects the BFS reaches by different routes, whose paths read alike, are one suspect', () => {
  const snapshot = snapshots.get('timed.js') as HeapSnapshot;
  const records = instances(snapshot);
  const survivors = new Uint8Array(snapshot.nodeCount);
  for (const n of records) survivors[n] = 1;
  const shapes = new Set(
    records.map((n) => text(snapshot, retainerPath(snapshot, n)).replace(/\d+$/, 'N')),
  );
  // The case the merging exists for; if Node stops producing it, this test is moot.
  assert.ok(shapes.size > 1, `BFS paths: ${[...shapes].join(' | ')}`);
  const suspects = findSuspects(snapshot, survivors);
  assert.equal(suspects.length, 1, suspects.map((x) => x.path.join(' → ')).join(' | '));
  assert.equal(suspects[0]?.count, RECORDS);
  assert.deepEqual(suspects[0]?.path.slice(0, 2), ['(module timed.js)', 'cache']);
});
