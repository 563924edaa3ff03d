import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { IdSet } from '../../../src/heap/diff';
import { HeapSnapshot, readSnapshot, type LeakSuspect } from '../../../src/heap/index';
import { findSuspects } from '../../../src/heap/suspects';

// Each program builds its structure, writes a baseline snapshot, grows the leak, writes a
// target, grows it again and writes a final one: the three-snapshot technique on a real heap.
// The stores imitate the libraries' shapes (express-session's MemoryStore keeps
// `this.sessions[sid] = JSON.stringify(sess)`; axios's InterceptorManager keeps `handlers`;
// winston's exception handlers listen on `process`).
const GROWTH = 120;

// No closure captures \`require\`: a module scope holding it reaches \`require.main.exports\`.
const prelude = `'use strict';
const v8 = require('node:v8');
const { join } = require('node:path');
const snap = (i) => v8.writeHeapSnapshot(join(process.argv[2], i + '.heapsnapshot'));
let serial = 0;
const token = () => (++serial).toString(36).padStart(6, '0') + Math.random().toString(36).slice(2, 12);
`;

/** express-session's MemoryStore: session ids to JSON strings in a dictionary-mode object. */
const memoryStore = `${prelude}
class MemoryStore {
  constructor() { this.sessions = Object.create(null); }
  set(sid, session) { this.sessions[sid] = JSON.stringify(session); }
}
const middleware = { store: new MemoryStore() };
const app = { stack: [{ handle: middleware }] };
const visit = () => app.stack[0].handle.store.set(token() + token(), {
  cookie: { path: '/', httpOnly: true, maxAge: null }, visits: serial, note: 'n'.repeat(160),
});
for (let i = 0; i < 20; i++) visit();
snap(1);
for (let i = 0; i < ${GROWTH}; i++) visit();
snap(2);
for (let i = 0; i < 40; i++) visit();
snap(3);
`;

/** axios's InterceptorManager: an interceptor added per request on a shared client. */
const interceptors = `${prelude}
class InterceptorManager {
  constructor() { this.handlers = []; }
  use(fulfilled, rejected) { this.handlers.push({ fulfilled, rejected, synchronous: false }); return this.handlers.length - 1; }
}
const client = { interceptors: { request: new InterceptorManager(), response: new InterceptorManager() } };
const call = () => { const t = token(); client.interceptors.request.use((config) => ({ ...config, t })); };
snap(1);
for (let i = 0; i < ${GROWTH}; i++) call();
snap(2);
for (let i = 0; i < 40; i++) call();
snap(3);
`;

/** Keys and values of a Map, members of a Set and elements of an array, all growing. */
const collections = `${prelude}
class Entry { constructor(id) { this.id = id; this.payload = 'p'.repeat(100) + id; } }
const byKey = new Map();
const seen = new Set();
const log = [];
const grow = (n) => {
  for (let i = 0; i < n; i++) {
    byKey.set('key-' + token(), new Entry(serial));
    seen.add('seen-' + token());
    log.push(new Entry(serial));
  }
};
exports.lookup = (k) => [byKey.get(k), seen.has(k), log[k]];
snap(1);
grow(${GROWTH});
snap(2);
grow(40);
snap(3);
`;

/**
 * winston's loggers made per request: the module keeps them in an array, and each one's
 * exception handler listens for \`uncaughtException\` on \`process\` (a bound method).
 */
const loggers = `${prelude}
class ExceptionHandler {
  constructor(logger) { this.logger = logger; process.on('uncaughtException', this.handle.bind(this)); }
  handle() { this.logger.lines.push('crash'); }
}
class Logger {
  constructor(id) { this.id = id; this.lines = ['created ' + id]; this.exceptions = new ExceptionHandler(this); }
}
process.setMaxListeners(0);
const loggers = [];
exports.count = () => loggers.length;
const request = () => loggers.push(new Logger(token()));
snap(1);
for (let i = 0; i < ${GROWTH}; i++) request();
snap(2);
for (let i = 0; i < 40; i++) request();
snap(3);
`;

/**
 * An app object that no closure captures (so no module scope holds it), exported and served
 * through a bound handler while keep-alive sockets sit idle: it is reachable from the timer
 * lists through the server, from the global object through \`process.mainModule\`, and from
 * the module's \`require\` through the loader.
 */
const exportedApp = `${prelude}
const http = require('node:http');
// Like most dependencies, this module's scope keeps \`require\`, which reaches the main module
// through Node's loader (\`require → main\`): no better a start than \`process.mainModule\`.
exports.load = (name) => require(name);
class App {
  constructor() { this.locals = { history: [] }; }
  handle(req, res) { this.locals.history.push({ url: req.url, at: Date.now() }); res.end('ok'); }
}
const app = new App();
module.exports = app;
const server = http.createServer(app.handle.bind(app));
server.listen(0, '127.0.0.1', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  const get = (i) => new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: server.address().port, path: '/r' + i, agent }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
  const load = async (n) => { for (let i = 0; i < n; i += 2) await Promise.all([get(i), get(i + 1)]); };
  await load(10);
  snap(1);
  await load(${GROWTH});
  snap(2);
  await load(40);
  snap(3);
  agent.destroy();
  server.close();
});
`;

const dir = mkdtempSync(join(tmpdir(), 'leakhunt-suspects-'));
const hunts = new Map<string, LeakSuspect[]>();

/** Runs `source` as `name` in a child Node process and finds the suspects of its three snapshots. */
async function hunt(name: string, source: string): Promise<LeakSuspect[]> {
  const folder = join(dir, name.replace(/\W/g, '_'));
  mkdirSync(folder);
  const script = join(folder, name);
  writeFileSync(script, source);
  execFileSync(process.execPath, [script, folder], { stdio: 'ignore', timeout: 60_000 });
  const baseline = await readSnapshot(join(folder, '1.heapsnapshot'), { mode: 'ids' });
  const target = await readSnapshot(join(folder, '2.heapsnapshot'), { mode: 'ids' });
  const snapshot = await HeapSnapshot.analyze(await readSnapshot(join(folder, '3.heapsnapshot')));
  const old = new IdSet(baseline.nodeId);
  const born = new IdSet(target.nodeId);
  const survivors = new Uint8Array(snapshot.nodeCount);
  for (let n = 0; n < snapshot.nodeCount; n++) {
    const id = snapshot.raw.nodeId[n];
    if (!old.has(id) && born.has(id)) survivors[n] = 1;
  }
  return findSuspects(snapshot, survivors);
}

before(async () => {
  const programs = { memoryStore, interceptors, collections, loggers, exportedApp };
  for (const [name, source] of Object.entries(programs))
    hunts.set(`${name}.js`, await hunt(`${name}.js`, source));
});

after(() => rmSync(dir, { recursive: true, force: true }));

const text = (path: string[]): string => path.join(' → ');
const list = (suspects: LeakSuspect[]): string =>
  suspects.map((s) => `${s.count} × ${s.name} ${text(s.path)}`).join('\n');

/**
 * The suspect of the objects that grow through `step`, failing if another row has a share of
 * them (as a Map's keys did beside its values). Rows of one or two objects are the program's
 * own noise (the parts of a concatenated key, a shape's transition).
 */
function through(name: string, step: string): LeakSuspect {
  const suspects = hunts.get(name) ?? [];
  const found = suspects.filter((s) => s.path.includes(step) && s.count >= 10);
  assert.equal(found.length, 1, `one suspect through ${step}:\n${list(suspects)}`);
  return found[0];
}

describe('a session store keeping JSON strings by session id (express-session MemoryStore)', () => {
  test('keys and values are one suspect: one entry per session, sized with both', () => {
    const suspect = through('memoryStore.js', 'sessions');
    assert.equal(suspect.count, GROWTH, 'entries, not keys plus values');
    // Each value is ~250 bytes of JSON, each key a string of 20+ characters.
    assert.ok(suspect.retainedSize > GROWTH * 250, `${suspect.retainedSize} bytes`);
    assert.equal(suspect.owner, 'sessions');
    assert.match(text(suspect.path), /^\(module memoryStore\.js\) → .*store → sessions → \w+$/);
  });

  test('the store is named as the container, not the dictionary inside it', () => {
    assert.equal(through('memoryStore.js', 'sessions').container, 'MemoryStore');
  });
});

test('interceptors added per request name their InterceptorManager', () => {
  const suspect = through('interceptors.js', 'handlers');
  assert.equal(suspect.count, GROWTH);
  assert.equal(suspect.owner, 'handlers');
  assert.equal(suspect.container, 'InterceptorManager');
  assert.equal(
    text(suspect.path).replace(/\d+$/, 'N'),
    '(module interceptors.js) → client → interceptors → request → handlers → N',
  );
});

describe('entries of a Map, a Set and an array', () => {
  test('a Map entry is one: its key string and its value counted together', () => {
    const suspect = through('collections.js', 'byKey');
    assert.equal(suspect.count, GROWTH);
    assert.equal(suspect.container, 'Map');
    assert.equal(suspect.name, 'Entry');
    // An Entry with its payload is ~150 bytes; the key string adds more than 24.
    const entries = hunts.get('collections.js')?.find((s) => s.path.includes('log'));
    assert.ok(entries, 'the array row');
    assert.ok(
      suspect.retainedSize >= entries.retainedSize + GROWTH * 24,
      `Map ${suspect.retainedSize} vs array ${entries.retainedSize} bytes`,
    );
  });

  test('a Set counts its members, an array its elements', () => {
    const set = through('collections.js', 'seen');
    assert.equal(set.count, GROWTH);
    assert.equal(set.container, 'Set');
    const array = through('collections.js', 'log');
    assert.equal(array.count, GROWTH);
    assert.equal(array.container, 'Array');
  });
});

describe('loggers kept by the module and by exception listeners on process (winston)', () => {
  test('both routes are shown, the module first', () => {
    // Each logger's exception handler is a row of its own: the listener on process holds it too.
    const suspects = hunts.get('loggers.js') ?? [];
    const suspect = suspects.find((s) => s.name === 'Logger');
    assert.ok(suspect, list(suspects));
    assert.equal(suspect.count, GROWTH);
    assert.equal(suspect.container, 'Array');
    const routes = (suspect.routes ?? []).map(text);
    assert.equal(routes.length, 2, routes.join('\n'));
    assert.equal(routes[0], text(suspect.path));
    assert.match(routes[0], /^\(module loggers\.js\) → loggers → \d+$/);
    assert.match(
      routes[1],
      /^\(global\) → process → _events → uncaughtException → \d+ → bound_this → logger$/,
    );
  });
});

describe('an exported app served by a bound handler, with idle keep-alive sockets', () => {
  test('the path starts at the global object, not at a timer list or a Node scope', () => {
    const suspect = through('exportedApp.js', 'history');
    assert.equal(suspect.count, GROWTH);
    assert.equal(
      text(suspect.path).replace(/\d+$/, 'N'),
      '(global) → process → mainModule → exports → locals → history → N',
    );
  });

  test('the timer route to the same array is not a second route', () => {
    // The server's timers reach the app through the bound handler: another way to the same
    // holder (`history`), so it is the same route, not a new one.
    const suspect = through('exportedApp.js', 'history');
    assert.deepEqual(suspect.routes, [suspect.path]);
  });
});
