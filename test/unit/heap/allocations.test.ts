import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { buildSync } from 'esbuild';
import { HeapSnapshotError, diffSnapshots, readSnapshot } from '../../../src/heap/index';
import type { LeakSuspect } from '../../../src/heap/index';
import { allocationSite, traceLookup } from '../../../src/heap/allocations';
import { standardMeta } from '../../fixtures/heap/bad/syntheticSnapshot';

// Real snapshots with V8 allocation traces: a child Node process tracks allocations through an
// in-process inspector session, runs a user file that calls a fake library (or allocates
// itself) and keeps the results in a module-level array, and writes three snapshots.

const K = 40;
const dirs: string[] = [];
after(() => {
  if (!process.env.LEAKHUNT_KEEP)
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const FAKELIB = `'use strict';
class Widget {
  constructor(n) {
    this.n = n;
    this.label = 'widget-' + n;
  }
}
function makeWidget(n) {
  return new Widget(n);
}
module.exports = { makeWidget };
`;

const DRIVER = `'use strict';
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
(async () => {
  await post('HeapProfiler.enable');
  await post('HeapProfiler.startTrackingHeapObjects', { trackAllocations: true });
  const service = require(process.argv[2]);
  let churn = [];
  for (const name of ['1', '2', '3']) {
    service.leak(${K});
    churn = Array.from({ length: 100 }, (_, i) => ({ temporary: i }));
    await snapshot(require('node:path').join(__dirname, name + '.heapsnapshot'));
  }
  process.exit(0);
})();
`;

/** Writes `files` under a temp dir, runs the driver on `main`, returns the diff's suspects. */
async function traced(
  files: Record<string, string>,
  main: string,
  build?: (dir: string) => void,
): Promise<{ dir: string; suspects: LeakSuspect[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'leakhunt-alloc-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries({
    'node_modules/fakelib/index.js': FAKELIB,
    'driver.js': DRIVER,
    ...files,
  })) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  build?.(dir);
  execFileSync(process.execPath, [join(dir, 'driver.js'), join(dir, main)], {
    stdio: 'ignore',
    timeout: 60_000,
  });
  const result = await diffSnapshots({
    baseline: join(dir, '1.heapsnapshot'),
    target: join(dir, '2.heapsnapshot'),
    final: join(dir, '3.heapsnapshot'),
  });
  if (!process.env.LEAKHUNT_KEEP)
    for (const name of ['1', '2', '3']) rmSync(join(dir, `${name}.heapsnapshot`));
  return { dir, suspects: result.suspects };
}

function suspectNamed(suspects: LeakSuspect[], name: string | RegExp): LeakSuspect {
  const found = suspects.find((s) =>
    typeof name === 'string' ? s.name === name : name.test(s.name),
  );
  assert.ok(found, `a ${name} suspect among ${suspects.map((s) => s.name).join(', ')}`);
  return found;
}

/** 1-based line of the first line of `text` that contains `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  assert.ok(index >= 0, `${needle} is in the source`);
  return index + 1;
}

/** The user → library → allocation shape every library case shares. */
function assertLibraryStack(
  suspect: LeakSuspect,
  dir: string,
  userFile: string,
  bundled = false,
): void {
  const site = suspect.allocation;
  assert.ok(site, 'the suspect has an allocation stack');
  const { stack, userFrame, libraryFrame } = site;
  assert.ok(userFrame !== undefined && libraryFrame !== undefined, 'user and library frames');
  const user = stack[userFrame]!;
  assert.equal(user.functionName, 'handle');
  assert.equal(user.origin, 'user');
  assert.equal(user.file, join(dir, userFile));
  assert.ok(libraryFrame < userFrame, 'the library frame is inside the user frame');
  const library = stack[libraryFrame]!;
  assert.equal(library.origin, 'library');
  assert.equal(library.file, join(dir, 'node_modules/fakelib/index.js'));
  // Every frame inside the user frame is the library's; the stack runs innermost first.
  const inner = stack.slice(0, userFrame);
  // V8 names functions as they ran: a bundler may have renamed them (makeWidget2).
  const makeWidget = inner.find((frame) => /^makeWidget\d?$/.test(frame.functionName));
  assert.ok(makeWidget, 'the library function is on the stack');
  assert.ok(inner.every((frame) => frame.origin === 'library'));
  // `(` of `function makeWidget(n)`, 1-based; a map gives the nearest mapped token instead.
  assert.equal(makeWidget.line, 8, 'trace positions are 1-based');
  if (!bundled) assert.equal(makeWidget.column, 20);
  // The driver's frame sits outside the user code that leaks.
  assert.ok(stack.slice(userFrame + 1).some((frame) => frame.file === join(dir, 'driver.js')));
}

describe('allocation stacks from a tracked service', () => {
  test('a library allocates what the user keeps: the location is the user line calling it', async () => {
    const user = `'use strict';
const { makeWidget } = require('fakelib');
const kept = [];
function handle(i) {
  const widget = makeWidget(i);
  kept.push(widget);
}
exports.leak = (n) => {
  for (let i = 0; i < n; i++) handle(i);
};
`;
    const { dir, suspects } = await traced({ 'user.js': user }, 'user.js');
    const suspect = suspectNamed(suspects, 'Widget');
    assert.equal(suspect.count, K);
    assertLibraryStack(suspect, dir, 'user.js');
    const expected = {
      file: join(dir, 'user.js'),
      line: lineOf(user, 'makeWidget(i)'),
      column: 18,
    };
    assert.deepEqual(suspect.allocation?.line, expected);
    assert.deepEqual(suspect.location, expected);
  });

  test('the user code allocates a literal itself: the location is that literal', async () => {
    const user = `'use strict';
const entries = [];
function remember(id) {
  const label = 'entry-' + id;
  // Numbers are not edges in a snapshot: the group is named by its string keys.
  const entry = {
    requestId: 'request-' + id,
    at: Date.now(),
    label,
  };
  entries.push(entry);
}
exports.leak = (n) => {
  for (let i = 0; i < n; i++) remember(i);
};
`;
    const { dir, suspects } = await traced({ 'user.js': user }, 'user.js');
    const suspect = suspectNamed(suspects, /requestId/);
    const site = suspect.allocation;
    assert.ok(site);
    assert.equal(site.userFrame, 0, 'the innermost frame is the user function');
    assert.equal(site.libraryFrame, undefined);
    assert.equal(site.stack[0]!.functionName, 'remember');
    const expected = {
      file: join(dir, 'user.js'),
      line: lineOf(user, 'const entry = {'),
      column: 17,
    };
    assert.deepEqual(suspect.location, expected);
    assert.deepEqual(site.line, expected);
  });
});

describe('allocation stacks through source maps', () => {
  const source = `import { makeWidget } from 'fakelib';

interface Keeper {
  items: unknown[];
}

const keeper: Keeper = { items: [] };

export function handle(i: number): void {
  const widget: unknown = makeWidget(i);
  keeper.items.push(widget);
}

export function leak(n: number): void {
  for (let i = 0; i < n; i++) handle(i);
}
`;
  const compile =
    (options: { sourcemap: 'linked' | 'inline'; bundle: boolean }) =>
    (dir: string): void => {
      buildSync({
        entryPoints: [join(dir, 'src/server.ts')],
        outfile: join(dir, 'dist/server.js'),
        platform: 'node',
        format: 'cjs',
        logLevel: 'silent',
        ...options,
      });
    };

  test('a linked .map file of a bundle: TypeScript lines, and the bundled library is a library', async () => {
    const { dir, suspects } = await traced(
      { 'src/server.ts': source },
      'dist/server.js',
      compile({ sourcemap: 'linked', bundle: true }),
    );
    assert.match(
      readFileSync(join(dir, 'dist/server.js'), 'utf8'),
      /sourceMappingURL=server\.js\.map/,
    );
    const suspect = suspectNamed(suspects, 'Widget');
    // The generated file holds both; only the map tells the library from the user code.
    assertLibraryStack(suspect, dir, 'src/server.ts', true);
    assert.deepEqual(suspect.location, {
      file: join(dir, 'src/server.ts'),
      line: lineOf(source, 'makeWidget(i)'),
      column: 27,
    });
  });

  test('an inline map: the location is the TypeScript line that calls the library', async () => {
    const { dir, suspects } = await traced(
      { 'src/server.ts': source },
      'dist/server.js',
      compile({ sourcemap: 'inline', bundle: false }),
    );
    assert.match(
      readFileSync(join(dir, 'dist/server.js'), 'utf8'),
      /sourceMappingURL=data:application\/json;base64,/,
    );
    const suspect = suspectNamed(suspects, 'Widget');
    assertLibraryStack(suspect, dir, 'src/server.ts');
    assert.equal(suspect.location?.file, join(dir, 'src/server.ts'));
    assert.equal(suspect.location?.line, lineOf(source, 'makeWidget(i)'));
  });
});

describe('allocation traces in the reader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leakhunt-alloc-reader-'));
  dirs.push(dir);
  let counter = 0;

  /** A two-node snapshot whose object was allocated by `fn` (/x/app.js:4:7) under the root. */
  function tiny(overrides: Record<string, unknown> = {}): string {
    const json: Record<string, unknown> = {
      snapshot: { meta: standardMeta(), node_count: 2, edge_count: 1, trace_function_count: 2 },
      nodes: [9, 0, 1, 0, 1, 0, 0, 3, 1, 3, 16, 0, 2, 0],
      edges: [1, 1, 7],
      trace_function_infos: [0, 0, 0, 0, 0, 0, 11, 2, 3, 5, 4, 7],
      trace_tree: [1, 0, 0, 0, [2, 1, 1, 16, []]],
      samples: [],
      locations: [],
      strings: ['', 'Thing', 'fn', '/x/app.js'],
      ...overrides,
    };
    for (const key of Object.keys(json)) if (json[key] === undefined) delete json[key];
    return JSON.stringify(json);
  }

  async function read(text: string, chunkSize?: number) {
    const file = join(dir, `tiny-${counter++}.heapsnapshot`);
    writeFileSync(file, text);
    return readSnapshot(file, { chunkSize });
  }

  async function rejects(text: string, section: string, message: RegExp): Promise<void> {
    await assert.rejects(read(text), (error: unknown) => {
      assert.ok(error instanceof HeapSnapshotError, String(error));
      assert.equal(error.section, section);
      assert.match(error.message, message);
      return true;
    });
  }

  test('keeps the trace node of each node and the tree as parent links, at any chunk size', async () => {
    for (const chunkSize of [undefined, 1, 3, 7]) {
      const raw = await read(tiny(), chunkSize);
      const traces = raw.traces;
      assert.ok(traces);
      assert.deepEqual([...traces.nodeTraceId], [0, 2]);
      assert.equal(traces.parent[2], 1);
      assert.equal(traces.parent[1], 0);
      assert.equal(traces.functionIndex[2], 1);
      assert.equal(traces.functionName[1], 'fn');
      assert.equal(traces.scriptName[1], '/x/app.js');
      assert.deepEqual([traces.scriptId[1], traces.line[1], traces.column[1]], [5, 4, 7]);
    }
  });

  test('a snapshot taken without tracking keeps no trace data', async () => {
    const raw = await read(
      tiny({
        snapshot: { meta: standardMeta(), node_count: 2, edge_count: 1, trace_function_count: 0 },
        nodes: [9, 0, 1, 0, 1, 0, 0, 3, 1, 3, 16, 0, 0, 0],
        trace_function_infos: [],
        trace_tree: [],
      }),
    );
    assert.equal(raw.traces, undefined);
  });

  test("a diff's target lends its traces to the final snapshot by object id", async () => {
    const target = await read(tiny());
    // The final snapshot: the same object (id 3) at another ordinal, its own trace lost.
    const final = await read(
      tiny({
        snapshot: { meta: standardMeta(), node_count: 3, edge_count: 1, trace_function_count: 0 },
        nodes: [9, 0, 1, 0, 1, 0, 0, 3, 1, 5, 8, 0, 0, 0, 3, 1, 3, 16, 0, 0, 0],
        edges: [1, 1, 14],
        trace_function_infos: [],
        trace_tree: [],
      }),
    );
    assert.equal(traceLookup(final), undefined);
    const lookup = traceLookup(final, target);
    assert.ok(lookup);
    assert.deepEqual(
      [0, 1, 2].map((n) => lookup.traceIdOf(n)),
      [0, 0, 2],
    );
    const site = allocationSite(lookup, 2);
    assert.deepEqual(site?.stack, [
      { functionName: 'fn', file: '/x/app.js', line: 4, column: 7, origin: 'user' },
    ]);
    assert.equal(site?.userFrame, 0);
  });

  test('malformed trace sections are HeapSnapshotErrors naming the section', async () => {
    await rejects(
      tiny({ trace_tree: [1, 0, 0, 0, [2, 1, 1, [], 16]] }),
      'trace_tree',
      /unexpected '\['/,
    );
    await rejects(tiny({ trace_tree: [1, 0, 0, 0, [2, 1, 1, 16]] }), 'trace_tree', /ends after 4/);
    await rejects(
      tiny({ trace_tree: [1, 0, 0, 0, [2, 5, 1, 16, []]] }),
      'trace_tree',
      /names function 5 of 2/,
    );
    await rejects(
      tiny({ trace_tree: [1, 0, 0, 0, [1, 1, 1, 16, []]] }),
      'trace_tree',
      /appears twice/,
    );
    await rejects(tiny({ trace_tree: [1, 0, 0, 0, [3, 1, 1, 16, []]] }), 'nodes', /trace node 2/);
    await rejects(
      tiny({ trace_function_infos: [0, 0, 0, 0, 0, 0, 11, 2, 9, 5, 4, 7] }),
      'trace_function_infos',
      /beyond the 4 strings/,
    );
    await rejects(
      tiny({ trace_function_infos: [0, 0, 0, 0, 0, 0, 11, 2, 3, 5, 4] }),
      'trace_function_infos',
      /middle of an entry/,
    );
    await rejects(tiny({ trace_tree: undefined }), 'file', /missing the "trace_tree" section/);
    await rejects(
      tiny().replace(
        '"trace_tree":[1,0,0,0,[2,1,1,16,[]]]',
        '"trace_tree":[1,0,0,0,[2,1,1,16,[],]]',
      ),
      'trace_tree',
      /trailing comma/,
    );
    const meta = standardMeta();
    meta.trace_node_fields = ['children', 'id', 'function_info_index'];
    await rejects(
      tiny({ snapshot: { meta, node_count: 2, edge_count: 1, trace_function_count: 2 } }),
      'snapshot',
      /trace_node_fields/,
    );
  });
});
