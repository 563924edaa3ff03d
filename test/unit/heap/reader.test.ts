import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { HeapSnapshotError } from '../../../src/heap/errors';
import { readSnapshot, type RawSnapshot } from '../../../src/heap/reader';
import { generateSnapshot } from '../../fixtures/heap/generate';

let dir = '';
let file = '';
let whole: RawSnapshot;

before(async () => {
  ({ dir, file } = generateSnapshot());
  whole = await readSnapshot(file);
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** The reference: the same file through JSON.parse (fine for a small file). */
function parsed(): {
  snapshot: { meta: { node_fields: string[]; edge_fields: string[] }; node_count: number };
  nodes: number[];
  edges: number[];
  strings: string[];
  locations: number[];
} {
  return JSON.parse(readFileSync(file, 'utf8'));
}

test('columns and strings equal what JSON.parse sees, for any chunk size', async () => {
  const json = parsed();
  const nf = json.snapshot.meta.node_fields.length;
  const ef = json.snapshot.meta.edge_fields.length;
  // A prime chunk size puts chunk boundaries inside numbers, strings and escapes.
  for (const chunkSize of [4093, 4 << 20]) {
    const raw = chunkSize === 4 << 20 ? whole : await readSnapshot(file, { chunkSize });
    assert.equal(raw.nodeCount, json.nodes.length / nf);
    for (let n = 0; n < raw.nodeCount; n += 97) {
      assert.equal(raw.nodeId[n], json.nodes[n * nf + 2], `id of node ${n}`);
      assert.equal(raw.nodeSelfSize[n], json.nodes[n * nf + 3], `self size of node ${n}`);
    }
    for (let e = 0; e < raw.edgeCount; e += 101)
      assert.equal(raw.edgeTo[e] * nf, json.edges[e * ef + 2], `target of edge ${e}`);
    assert.equal(raw.strings.count, json.strings.length);
    for (let i = 0; i < json.strings.length; i++)
      assert.equal(raw.strings.get(i), json.strings[i], `string ${i}`);
    assert.equal(raw.locations.length, json.locations.length);
  }
});

test('progress reaches the file size and a fired signal aborts the read', async () => {
  const seen: number[] = [];
  await readSnapshot(file, {
    chunkSize: 65536,
    onProgress: (done, total) => seen.push(done / total),
  });
  assert.equal(seen.at(-1), 1);
  assert.ok(seen.length > 1);
  const controller = new AbortController();
  const read = readSnapshot(file, {
    chunkSize: 65536,
    signal: controller.signal,
    onProgress: () => controller.abort(),
  });
  await assert.rejects(read, { name: 'AbortError' });
});

test('ids mode keeps only the ids, in node order', async () => {
  const ids = await readSnapshot(file, { mode: 'ids' });
  assert.deepEqual(ids.nodeId, whole.nodeId);
  assert.equal(ids.edgeTo.length, 0);
});

/** Rejects with a HeapSnapshotError whose message matches, and returns it. */
async function rejects(content: string | Buffer, pattern: RegExp): Promise<HeapSnapshotError> {
  const bad = `${dir}/bad.heapsnapshot`;
  writeFileSync(bad, content);
  let caught: unknown;
  try {
    await readSnapshot(bad);
  } catch (error) {
    caught = error;
  }
  assert.ok(
    caught instanceof HeapSnapshotError,
    `expected HeapSnapshotError, got ${String(caught)}`,
  );
  assert.match(caught.message, pattern);
  return caught;
}

const meta =
  '{"meta":{"node_fields":["type","name","id","self_size","edge_count"],"node_types":[["hidden","object"],"string","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["element","property"],"string_or_number","node"]},"node_count":2,"edge_count":1}';
const tiny = (nodes: string, edges: string, strings = '["", "a"]'): string =>
  `{"snapshot":${meta},\n"nodes":[${nodes}],\n"edges":[${edges}],\n"strings":${strings}}`;

test('a hand-made minimal snapshot parses', async () => {
  const ok = `${dir}/ok.heapsnapshot`;
  writeFileSync(ok, tiny('1,0,1,0,1,1,1,3,8,0', '1,1,5'));
  for (const chunkSize of [1, 2, 3, 1 << 20]) {
    const raw = await readSnapshot(ok, { chunkSize });
    assert.equal(raw.nodeCount, 2);
    assert.deepEqual(Array.from(raw.nodeSelfSize), [0, 8]);
    assert.equal(raw.edgeTo[0], 1);
  }
});

test('escapes, raw UTF-8 and surrogate pairs (escaped or not) decode exactly', async () => {
  const strings = [
    '',
    'a \\"quoted\\" \\\\ back\\nslash',
    '\\u00fcn\\u00efc\\u00f8d\\u00e9 \\ud834\\udd1e \\ud83d\\ude00',
    'raw ünïcødé ✓ 𝄞 😀',
    '\\ud800 lone',
  ];
  const ok = `${dir}/strings.heapsnapshot`;
  writeFileSync(
    ok,
    tiny('1,0,1,0,1,1,1,3,8,0', '1,1,5', `[${strings.map((t) => `"${t}"`).join(',')}]`),
  );
  const raw = await readSnapshot(ok, { chunkSize: 3 });
  assert.deepEqual(
    Array.from({ length: raw.strings.count }, (_, i) => raw.strings.get(i)),
    ['', 'a "quoted" \\ back\nslash', 'ünïcødé 𝄞 😀', 'raw ünïcødé ✓ 𝄞 😀', '\ud800 lone'],
  );
});

test('bad input: empty, truncated, wrong meta, counts, edges out of range, UTF-8, garbage', async () => {
  assert.equal((await rejects('', /empty/)).byteOffset, 0);
  const good = tiny('1,0,1,0,1,1,1,3,8,0', '1,1,5');
  const cut = await rejects(good.slice(0, good.indexOf('"edges"') + 12), /truncated/);
  assert.equal(cut.section, 'edges');
  await rejects(good.replace('"name_or_index"', '"label"'), /edge_fields lacks "name_or_index"/);
  await rejects(tiny('1,0,1,0,1', '1,1,5'), /node_count is 2 but the nodes array holds 1/);
  const outOfRange = await rejects(tiny('1,0,1,0,1,1,1,3,8,0', '1,1,10'), /beyond the 2 nodes/);
  assert.equal(outOfRange.section, 'edges');
  assert.equal(outOfRange.byteOffset, good.indexOf('1,1,5') + 6);
  await rejects(tiny('1,0,1,0,1,1,1,3,8,0', '1,1,4'), /not a multiple/);
  await rejects(
    Buffer.concat([Buffer.from(good.slice(0, -3)), Buffer.from([0xc3, 0x28]), Buffer.from('"]}')]),
    /invalid UTF-8 in string 1/,
  );
  await rejects('{"name":"leak-hunt","version":"1.0.0"}', /no "snapshot" meta/);
  await rejects(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff]), /expected '\{'/);
});
