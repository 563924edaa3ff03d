import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readSnapshot } from '../../../src/heap/reader';
import { HeapSnapshot } from '../../../src/heap/snapshot';
import { generateSnapshot } from '../../fixtures/heap/generate';

// Source locations are kept as a sorted list of located nodes, not as a per-node column: these
// tests hold locationOf() to the `locations` section as JSON.parse sees it, in V8's order and
// in an order V8 never writes (shuffled, with a node listed twice: its last tuple wins).

interface Parsed {
  snapshot: { meta: { node_fields: string[]; location_fields: string[] } };
  nodes: number[];
  locations: number[];
  [key: string]: unknown;
}

let dir = '';
let file = '';
let parsed: Parsed;

before(() => {
  ({ dir, file } = generateSnapshot());
  parsed = JSON.parse(readFileSync(file, 'utf8')) as Parsed;
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** node ordinal → [script, line, column] from the JSON, the last tuple winning. */
function expectedLocations(json: Parsed): Map<number, [number, number, number]> {
  const fields = json.snapshot.meta.location_fields;
  const nodeFields = json.snapshot.meta.node_fields.length;
  const [o, s, l, c] = ['object_index', 'script_id', 'line', 'column'].map((f) =>
    fields.indexOf(f),
  );
  const expected = new Map<number, [number, number, number]>();
  for (let i = 0; i < json.locations.length; i += fields.length) {
    const t = json.locations.slice(i, i + fields.length);
    expected.set(t[o] / nodeFields, [t[s], t[l], t[c]]);
  }
  return expected;
}

async function assertLocations(path: string, json: Parsed): Promise<void> {
  const snapshot = await HeapSnapshot.analyze(await readSnapshot(path));
  const expected = expectedLocations(json);
  assert.ok(expected.size > 10, 'the fixture has located objects');
  let located = 0;
  for (let n = 0; n < snapshot.nodeCount; n++) {
    const want = expected.get(n);
    const got = snapshot.locationOf(n);
    if (!want) {
      assert.equal(got, undefined, `node ${n} has no location`);
      continue;
    }
    located++;
    assert.deepEqual([got?.scriptId, got?.line, got?.column], want, `location of node ${n}`);
  }
  assert.equal(located, expected.size);
}

test('every node has exactly the location the file gives it', async () => {
  await assertLocations(file, parsed);
});

test('locations out of node order, with a node listed twice, resolve to its last tuple', async () => {
  const width = parsed.snapshot.meta.location_fields.length;
  const tuples: number[][] = [];
  for (let i = 0; i < parsed.locations.length; i += width)
    tuples.push(parsed.locations.slice(i, i + width));
  tuples.reverse();
  // The first node's tuple again, with another line, at the very end: it must win.
  const duplicate = [...tuples[tuples.length - 1]];
  duplicate[parsed.snapshot.meta.location_fields.indexOf('line')] += 1000;
  tuples.push(duplicate);
  const shuffled: Parsed = { ...parsed, locations: tuples.flat() };
  const path = join(dir, 'shuffled.heapsnapshot');
  writeFileSync(path, JSON.stringify(shuffled));
  await assertLocations(path, shuffled);
});
