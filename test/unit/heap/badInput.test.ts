import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HeapSnapshotError, summarizeSnapshot } from '../../../src/heap/index';
import {
  IsolatedEngine,
  contractViolation,
  type Outcome,
} from '../../fixtures/heap/bad/isolatedEngine';
import {
  SECTIONS,
  buildSnapshot,
  seededRandom,
  standardMeta,
} from '../../fixtures/heap/bad/syntheticSnapshot';

// Every bad input must end in a HeapSnapshotError that names what is wrong and where (byte
// offset, section); never another exception, a hang or a crash of the host. The engine runs
// in a worker of this process so a hang or crash is reported with its input.

const dir = mkdtempSync(join(tmpdir(), 'leakhunt-bad-input-'));
const engine = new IsolatedEngine(require.resolve('../../../src/heap/index'));
let fileCounter = 0;

after(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

function write(content: string | Uint8Array): string {
  const file = join(dir, `case-${fileCounter++}.heapsnapshot`);
  writeFileSync(file, content);
  return file;
}

/** Summarizes `content`, asserts the contract holds and returns the outcome for more checks. */
async function outcomeOf(content: string | Uint8Array, what: string): Promise<Outcome> {
  const file = write(content);
  const outcome = await engine.summarize(file);
  const size = typeof content === 'string' ? Buffer.byteLength(content) : content.length;
  const violation = contractViolation(outcome, size);
  assert.equal(violation, undefined, `${what}: ${violation}`);
  return outcome;
}

/** Asserts `content` is rejected with a HeapSnapshotError; returns its byte offset and section. */
async function rejected(
  content: string | Uint8Array,
  what: string,
): Promise<{ byteOffset: number; section: string; message: string }> {
  const outcome = await outcomeOf(content, what);
  assert.equal(outcome.kind, 'threw', `${what}: expected a HeapSnapshotError, but it parsed`);
  if (outcome.kind !== 'threw') throw new Error('unreachable');
  return {
    byteOffset: outcome.byteOffset as number,
    section: outcome.section as string,
    message: outcome.message,
  };
}

function withSnapshotHeader(header: unknown, rest = ''): string {
  const good = buildSnapshot({ records: 2 }).text;
  return `{"snapshot":${JSON.stringify(header)}${rest || good.slice(good.indexOf(',\n"nodes"'))}`;
}

describe('the valid inputs the bad ones are made from', () => {
  test('a synthetic snapshot parses with the counts it was built with', async () => {
    const snapshot = buildSnapshot({ records: 4, extraStrings: ['naïve café ✓ 🧵 中文'] });
    const outcome = await outcomeOf(snapshot.text, 'synthetic');
    assert.deepEqual(outcome, {
      kind: 'parsed',
      nodeCount: snapshot.nodeCount,
      edgeCount: snapshot.edgeCount,
    });
  });

  test('in-process, the same API rejects an empty file with a HeapSnapshotError at byte 0', async () => {
    const file = write('');
    await assert.rejects(summarizeSnapshot(file, {}), (error: unknown) => {
      assert.ok(error instanceof HeapSnapshotError, String(error));
      assert.equal(error.byteOffset, 0);
      return true;
    });
  });
});

describe('empty, truncated and non-snapshot files', () => {
  test('an empty file and a whitespace-only file', async () => {
    assert.equal((await rejected('', 'empty')).byteOffset, 0);
    await rejected('  \n\t\n', 'whitespace only');
  });

  test('every strict prefix of a small snapshot is rejected, at or before where it ends', async () => {
    const { text } = buildSnapshot({ records: 1, logLines: 1 });
    const bytes = Buffer.from(text);
    for (let cut = 0; cut < bytes.length; cut++) {
      const { byteOffset } = await rejected(bytes.subarray(0, cut), `truncated at ${cut}`);
      assert.ok(byteOffset <= cut, `truncated at ${cut}: offset ${byteOffset} is past the end`);
    }
  });

  test('truncated at and inside every section names that section', async () => {
    const snapshot = buildSnapshot({ records: 5 });
    const bytes = Buffer.from(snapshot.text);
    for (const section of SECTIONS) {
      const start = snapshot.sectionOffsets[section];
      await rejected(bytes.subarray(0, start), `cut before "${section}"`);
      // Inside the section's value: a few bytes past its key.
      const inside = start + section.length + 4;
      const error = await rejected(bytes.subarray(0, inside), `cut inside "${section}"`);
      assert.equal(error.section, section, `cut inside "${section}": ${error.message}`);
      assert.ok(error.byteOffset >= start && error.byteOffset <= inside, error.message);
    }
  });

  test('JSON that is not a heap snapshot', async () => {
    const samples = [
      '{"hello":"world"}',
      '[1,2,3]',
      '"just a string"',
      'null',
      '42',
      '{}',
      '{"snapshot":{"meta":{}}}',
      '{"nodes":[0,0,0],"edges":[],"strings":[]}',
      readFileSync(require.resolve('../../../../package.json'), 'utf8'),
    ];
    for (const sample of samples)
      await rejected(sample, `non-snapshot JSON ${sample.slice(0, 40)}`);
  });

  test('binary files: random bytes, gzip, PNG and NUL bytes', async () => {
    const random = seededRandom(7);
    const noise = Uint8Array.from({ length: 64 * 1024 }, () => Math.floor(random() * 256));
    const gzip = Uint8Array.from([0x1f, 0x8b, 0x08, 0x00, ...noise.subarray(0, 512)]);
    const png = Uint8Array.from([
      0x89,
      0x50,
      0x4e,
      0x47,
      0x0d,
      0x0a,
      0x1a,
      0x0a,
      ...noise.subarray(0, 256),
    ]);
    for (const [what, content] of [
      ['random bytes', noise],
      ['gzip', gzip],
      ['png', png],
      ['NUL bytes', new Uint8Array(4096)],
      ['a UTF-16 BOM snapshot', Buffer.from(`\ufeff${buildSnapshot().text}`, 'utf16le')],
    ] as const) {
      const { byteOffset } = await rejected(content, what);
      assert.ok(byteOffset < 64, `${what}: should be caught at the start, not at ${byteOffset}`);
    }
  });

  test('deeply nested JSON does not overflow the stack', async () => {
    const depth = 200_000;
    await rejected('['.repeat(depth), 'deep arrays');
    await rejected(`{"snapshot":${'['.repeat(depth)}${']'.repeat(depth)}}`, 'deep meta');
    await rejected(`{"snapshot":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`, 'deep objects');
    const good = buildSnapshot().text;
    const deepExtra = `${good.slice(0, -1)},"extra":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    await outcomeOf(deepExtra, 'deep unknown section');
  });
});

describe('wrong meta', () => {
  const broken: [string, (meta: Record<string, unknown>) => void][] = [
    [
      'node_fields without id',
      (m) => (m.node_fields = ['type', 'name', 'self_size', 'edge_count']),
    ],
    ['edge_fields without to_node', (m) => (m.edge_fields = ['type', 'name_or_index'])],
    ['node_fields not a list', (m) => (m.node_fields = 'type,name')],
    ['node_types not a list of lists', (m) => (m.node_types = 'object')],
    ['edge_types missing', (m) => delete m.edge_types],
    ['location_fields of numbers', (m) => (m.location_fields = [1, 2, 3, 4])],
  ];
  for (const [what, mutate] of broken) {
    test(what, async () => {
      const meta = standardMeta();
      mutate(meta);
      const error = await rejected(buildSnapshot({ meta }).text, what);
      assert.equal(error.section, 'snapshot', error.message);
    });
  }

  test('no meta, a meta that is not an object, counts that are not counts', async () => {
    for (const [what, header] of [
      ['no meta', { node_count: 1, edge_count: 0 }],
      ['meta is a string', { meta: 'v8', node_count: 1, edge_count: 0 }],
      ['negative node_count', { meta: standardMeta(), node_count: -1, edge_count: 0 }],
      ['fractional edge_count', { meta: standardMeta(), node_count: 1, edge_count: 0.5 }],
      ['string node_count', { meta: standardMeta(), node_count: '7', edge_count: 0 }],
      ['absurd node_count', { meta: standardMeta(), node_count: 4e9, edge_count: 4e9 }],
    ] as const) {
      const error = await rejected(withSnapshotHeader(header), what);
      assert.equal(error.section, 'snapshot', `${what}: ${error.message}`);
    }
  });

  test('a header that is not valid JSON, broken across lines, gets a one-line message', async () => {
    // Found by the fuzz test: the JSON.parse excerpt quoted in the message kept the newline.
    const good = buildSnapshot().text;
    const broken = good.replace('"node_fields":["type",', '"node_fields":["type",\n,');
    const error = await rejected(broken, 'header with a stray comma after a newline');
    assert.equal(error.section, 'snapshot', error.message);
  });

  test('a section before the meta, and a duplicated section', async () => {
    const good = buildSnapshot().text;
    const nodesFirst = `{"nodes":[],${good.slice(1)}`;
    await rejected(nodesFirst, 'nodes before snapshot');
    const strings = good.slice(good.indexOf(',\n"strings"'), -1);
    await rejected(`${good.slice(0, -1)}${strings}}`, 'strings twice');
  });
});

describe('arrays that disagree with the header', () => {
  const snapshot = buildSnapshot({ records: 3 });

  test('node_count and edge_count one too many or one too few', async () => {
    for (const delta of [-1, 1]) {
      const nodes = buildSnapshot({ records: 3, nodeCountOverride: snapshot.nodeCount + delta });
      await rejected(nodes.text, `node_count ${delta}`);
      const edges = buildSnapshot({ records: 3, edgeCountOverride: snapshot.edgeCount + delta });
      await rejected(edges.text, `edge_count ${delta}`);
    }
  });

  test('a node array that ends mid-node and edge counts that do not add up', async () => {
    const text = snapshot.text;
    const nodesEnd = text.indexOf('],\n"edges"');
    await rejected(`${text.slice(0, nodesEnd)},3${text.slice(nodesEnd)}`, 'extra node field');
    // The first node's edge_count (5th field) raised by one: the per-node counts no longer sum.
    const nodesStart = text.indexOf('"nodes":[') + '"nodes":['.length;
    const row = text.slice(nodesStart, text.indexOf('\n', nodesStart)).split(',');
    row[4] = String(Number(row[4]) + 1);
    const patched = `${text.slice(0, nodesStart)}${row.join(',')}${text.slice(text.indexOf('\n', nodesStart))}`;
    await rejected(patched, 'edge_count of a node');
  });

  test('edges pointing out of range or between nodes, unknown types, missing strings', async () => {
    const text = snapshot.text;
    const edgesStart = text.indexOf('"edges":[') + '"edges":['.length;
    const firstEdgeEnd = text.indexOf('\n', edgesStart);
    const [type, name] = text.slice(edgesStart, firstEdgeEnd).split(',');
    const withEdge = (edge: string): string =>
      `${text.slice(0, edgesStart)}${edge}${text.slice(firstEdgeEnd)}`;
    const nodeFields = 7;
    for (const [what, edge] of [
      ['to_node past the last node', `${type},${name},${snapshot.nodeCount * nodeFields}`],
      ['to_node far past the end', `${type},${name},4294967295`],
      ['to_node between two nodes', `${type},${name},${nodeFields + 3}`],
      ['an unknown edge type', `99,${name},0`],
      ['a property name beyond the strings', `2,999999,0`],
    ]) {
      const error = await rejected(withEdge(edge), what);
      assert.ok(error.byteOffset >= edgesStart - 10, `${what}: offset ${error.byteOffset}`);
    }
    const nodesStart = text.indexOf('"nodes":[') + '"nodes":['.length;
    const badType = `${text.slice(0, nodesStart)}99${text.slice(text.indexOf(',', nodesStart))}`;
    await rejected(badType, 'an unknown node type');
    const locationsStart = text.indexOf('"locations":[') + '"locations":['.length;
    const badLocation = `${text.slice(0, locationsStart)}3,${text.slice(text.indexOf(',', locationsStart) + 1)}`;
    await rejected(badLocation, 'a location that is not a node start');
  });

  test('numbers that are not whole or do not fit', async () => {
    const text = snapshot.text;
    const nodesStart = text.indexOf('"nodes":[') + '"nodes":['.length;
    const rowEnd = text.indexOf('\n', nodesStart);
    const row = text.slice(nodesStart, rowEnd).split(',');
    for (const bad of ['-1', '1.5', '1e3', '99999999999999999999', 'true', '"3"', '', 'NaN']) {
      const patched = [...row];
      patched[3] = bad;
      await rejected(
        `${text.slice(0, nodesStart)}${patched.join(',')}${text.slice(rowEnd)}`,
        `self_size ${bad || '(missing)'}`,
      );
    }
  });
});

describe('strings', () => {
  test('invalid UTF-8 inside a string is reported in "strings", at or before the bad byte', async () => {
    const snapshot = buildSnapshot({ records: 2, extraStrings: ['before-BAD-after'] });
    const bytes = Buffer.from(snapshot.text);
    const at = bytes.indexOf('BAD');
    for (const bad of [
      [0xff],
      [0xc3, 0x28],
      [0xe2, 0x82],
      [0xed, 0xa0, 0x80],
      [0xf8, 0x88, 0x80, 0x80, 0x80],
    ]) {
      const broken = Buffer.concat([
        bytes.subarray(0, at),
        Buffer.from(bad),
        bytes.subarray(at + 3),
      ]);
      const error = await rejected(broken, `invalid UTF-8 ${bad.join(' ')}`);
      assert.equal(error.section, 'strings', error.message);
      assert.ok(
        error.byteOffset >= snapshot.firstStringOffset && error.byteOffset <= at,
        `offset ${error.byteOffset} is not within the strings before byte ${at}`,
      );
    }
  });

  test('invalid UTF-8 in the header, bad escapes and raw control characters', async () => {
    const good = buildSnapshot().text;
    const header = Buffer.from(good.replace('"hidden"', '"hid\u0000den"'));
    header[header.indexOf(0)] = 0xff;
    assert.equal((await rejected(header, 'invalid UTF-8 in meta')).section, 'snapshot');
    const strings = good.lastIndexOf('"<dummy>"');
    for (const bad of [
      '"\\x41"',
      '"\\u12"',
      '"\\uZZZZ"',
      '"tab\there"',
      '"line\nbreak"',
      '"open',
    ]) {
      const error = await rejected(
        `${good.slice(0, strings)}${bad}${good.slice(strings + 9)}`,
        bad,
      );
      assert.equal(error.section, 'strings', `${bad}: ${error.message}`);
    }
  });

  test('escaped and non-ASCII strings, lone surrogates included, still parse', async () => {
    const snapshot = buildSnapshot({
      extraStrings: ['quote " backslash \\ slash /', 'tab\tnewline\n', '\ud800 lone', 'é中🧵'],
    });
    assert.equal((await outcomeOf(snapshot.text, 'escapes')).kind, 'parsed');
  });
});

describe('a real snapshot written by v8.writeHeapSnapshot', () => {
  let real: Buffer;
  before(() => {
    const file = join(dir, 'real.heapsnapshot');
    const child = spawnSync(
      process.execPath,
      [
        '-e',
        `globalThis.keep = Array.from({ length: 500 }, (_, i) => ({ i, s: 'x' + i })); require('node:v8').writeHeapSnapshot(${JSON.stringify(file)})`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(child.status, 0, child.stderr);
    real = readFileSync(file);
  });

  test('parses whole, and cut short at or inside any section is called truncated', async () => {
    assert.equal((await outcomeOf(real, 'real snapshot')).kind, 'parsed');
    for (const section of SECTIONS.filter((s) => s !== 'snapshot')) {
      const start = real.indexOf(`"${section}":`);
      assert.ok(start > 0, `the real snapshot has a "${section}" section`);
      const next = real.indexOf('\n"', start + 1);
      const middle = next > start ? (start + next) >> 1 : real.length - 2;
      for (const cut of [start, start + section.length + 4, middle]) {
        // A cut-short download is the commonest bad input: the message must say so, even
        // when the header's counts are the first thing that no longer fits.
        const error = await rejected(real.subarray(0, cut), `real, cut at ${cut} in "${section}"`);
        assert.match(error.message, /truncated/i, `cut at ${cut} in "${section}"`);
        assert.ok(error.byteOffset <= cut, error.message);
      }
    }
  });
});

describe('the on-disk corpus in test/fixtures/heap/bad', () => {
  // Small files other tests (CLI, worker, webview) can open; each must fail where it says.
  const corpus = join(__dirname, '../../../../test/fixtures/heap/bad');
  const expected: Record<string, string> = {
    'empty.heapsnapshot': 'file',
    'truncated-in-edges.heapsnapshot': 'edges',
    'invalid-utf8-in-strings.heapsnapshot': 'strings',
    'edge-out-of-range.heapsnapshot': 'edges',
    'not-a-snapshot.heapsnapshot': 'file',
  };

  test('every file is rejected, naming the section it was built to break', async () => {
    const files = readdirSync(corpus).filter((f) => f.endsWith('.heapsnapshot'));
    assert.deepEqual(files.sort(), Object.keys(expected).sort());
    for (const name of files) {
      const content = readFileSync(join(corpus, name));
      const error = await rejected(content, name);
      assert.equal(error.section, expected[name], `${name}: ${error.message}`);
    }
  });
});

describe('the CLI', () => {
  test('exits 2 with one line naming the problem for a bad file', () => {
    const file = write('');
    const main = require.resolve('../../../src/cli/main');
    const child = spawnSync(process.execPath, [main, 'summary', file, '--json'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(child.status, 2, child.stderr);
    assert.equal(child.stdout, '');
    const lines = child.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, child.stderr);
    assert.doesNotMatch(lines[0]!, /unknown command/);
    assert.match(lines[0]!, /empty/i);
  });
});
