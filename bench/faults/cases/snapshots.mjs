// Malformed and hostile heap snapshots for `summary` and `diff`: truncations, wrong JSON, huge
// counts, special files, hostile strings, and diffs across processes or in the wrong order.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';

const HOSTILE = '\x1b]0;pwned\x07\x1b[2J\u009b2J\u202eevil';

/** Snapshots written by a real Node process: `prefix-1..count`, a leak growing between them. */
function takeSnapshots(dir, prefix, count, extra = '') {
  const script = join(dir, `${prefix}.cjs`);
  writeFileSync(
    script,
    `'use strict';
const v8 = require('node:v8');
globalThis.cache = {};
${extra}
for (let s = 1; s <= ${count}; s++) {
  for (let i = 0; i < 300; i++) cache[s * 1000 + i] = { at: Date.now(), log: Array(10).fill('x' + i) };
  v8.writeHeapSnapshot(${JSON.stringify(dir)} + '/${prefix}-' + s + '.heapsnapshot');
}
`,
  );
  execFileSync(process.execPath, [script], { stdio: 'ignore', timeout: 120_000 });
  return Array.from({ length: count }, (_, i) => join(dir, `${prefix}-${i + 1}.heapsnapshot`));
}

export function snapshotCases({ work, repoDir }) {
  const dir = join(work, 'snapshots');
  mkdirSync(dir, { recursive: true });
  const [s1, s2, s3] = takeSnapshots(dir, 'one', 3);
  const [p1, p2] = takeSnapshots(dir, 'other', 2);
  const [h1, h2, h3] = takeSnapshots(
    dir,
    'hostile',
    3,
    `globalThis[${JSON.stringify(HOSTILE)}] = cache;`,
  );
  const text = readFileSync(s1, 'utf8');
  const bytes = Buffer.from(text);
  let n = 0;
  const file = (content, name = `case-${++n}.heapsnapshot`) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const cases = [];
  const summary = (name, path, more = {}) =>
    cases.push({ name, args: ['summary', path], expect: 'error', ...more });

  // Truncated at fractions of the file, and inside each section.
  for (const fraction of [0, 0.0001, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.9999]) {
    const cut = Math.floor(bytes.length * fraction);
    summary(`truncated at ${fraction * 100}%`, file(bytes.subarray(0, cut)), {
      message: cut === 0 ? /empty/ : /truncated|ends inside/,
    });
  }
  for (const section of ['"nodes"', '"edges"', '"strings"', '"locations"', '"trace_tree"']) {
    const at = text.indexOf(section);
    summary(`truncated inside ${section}`, file(bytes.subarray(0, at + section.length + 20)));
  }
  summary('cut one byte short', file(bytes.subarray(0, bytes.length - 1)));

  // Not JSON, or JSON that is not a snapshot.
  const notSnapshots = {
    'plain text': 'hello, I am not a heap snapshot\n',
    'binary noise': Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
    'a JSON array': '[1,2,3]',
    'a JSON number': '42',
    'an empty object': '{}',
    'null bytes': Buffer.alloc(1024),
    'whitespace only': ' \n\t\n   ',
    'a package.json': readFileSync(join(repoDir, 'package.json'), 'utf8'),
    'deep nesting': `{"snapshot":${'['.repeat(200_000)}`,
    'a UTF-16 file': Buffer.from(`\ufeff${text.slice(0, 2000)}`, 'utf16le'),
  };
  for (const [name, content] of Object.entries(notSnapshots)) summary(name, file(content));

  // Meta and counts that lie.
  const header = (replace) => file(text.replace(/"node_count":\d+/, replace));
  for (const count of ['1e15', '-1', '9007199254740993', '0', '"many"', '4294967296'])
    summary(`node_count ${count}`, header(`"node_count":${count}`));
  summary(
    'edge_count 1e15',
    file(text.replace(/"edge_count":\d+/, '"edge_count":1000000000000000')),
  );
  summary('node_fields missing', file(text.replace('"node_fields":', '"node_fieldz":')));
  summary('node_types not an array', file(text.replace('"node_types":[', '"node_types":[7,')));
  summary(
    'wrong edge field count',
    file(text.replace('"edge_fields":["type",', '"edge_fields":[')),
  );
  const nodesAt = text.indexOf('"nodes":[') + '"nodes":['.length;
  summary(
    'a node type out of range',
    file(`${text.slice(0, nodesAt)}99${text.slice(text.indexOf(',', nodesAt))}`),
  );
  const edgesAt = text.indexOf('"edges":[') + '"edges":['.length;
  const firstEdge = text.slice(edgesAt, text.indexOf('\n', edgesAt)).split(',');
  firstEdge[2] = '999999999';
  summary(
    'an edge to a node beyond the end',
    file(
      `${text.slice(0, edgesAt)}${firstEdge.join(',')}${text.slice(text.indexOf('\n', edgesAt))}`,
    ),
  );
  const stringsAt = text.indexOf('"strings":[') + '"strings":['.length;
  summary(
    'invalid UTF-8 in a string',
    file(
      Buffer.concat([
        bytes.subarray(0, stringsAt + 1),
        Buffer.from([0xff, 0xfe, 0xc3]),
        bytes.subarray(stringsAt + 1),
      ]),
    ),
  );
  summary(
    'a bad escape in a string',
    file(`${text.slice(0, stringsAt + 1)}\\q${text.slice(stringsAt + 1)}`),
  );
  summary(
    'strings cut short of what nodes name',
    file(text.replace(/"strings":\[[\s\S]*\]\s*}\s*$/, '"strings":["x"]}')),
  );
  summary('a second snapshot glued on', file(`${text}${text}`));
  summary('trailing garbage', file(`${text}garbage`));

  // Special files: refused before anything blocks on them.
  const fifo = join(dir, 'fifo.heapsnapshot');
  execFileSync('mkfifo', [fifo]);
  summary('a FIFO', fifo, { message: /named pipe/, limitMs: 10_000 });
  cases.push({
    name: 'a FIFO in a diff',
    args: ['diff', s1, fifo],
    expect: 'error',
    message: /named pipe/,
  });
  const writerFifo = join(dir, 'written.heapsnapshot');
  execFileSync('mkfifo', [writerFifo]);
  cases.push({
    name: 'a FIFO with a writer',
    args: ['summary', writerFifo],
    expect: 'error',
    message: /named pipe/,
    // A writer holds it open (read-write never blocks on Linux) while the CLI runs.
    before: () => openSync(writerFifo, 'r+'),
    after: (fd) => closeSync(fd),
  });
  summary('a folder', dir, { message: /folder/ });
  summary('/dev/zero', '/dev/zero', { message: /character device/ });
  summary('/dev/null', '/dev/null', { message: /character device/ });
  summary('a missing file', join(dir, 'absent.heapsnapshot'), { message: /ENOENT|no such file/ });
  const link = join(dir, 'link-to-fifo.heapsnapshot');
  symlinkSync(fifo, link);
  summary('a symbolic link to a FIFO', link, { message: /named pipe/ });
  const loop = join(dir, 'loop.heapsnapshot');
  symlinkSync(loop, loop);
  summary('a symbolic link loop', loop, { message: /ELOOP|too many/i });
  summary('a path through a file', join(s1, 'inside'), { message: /ENOTDIR|not a directory/ });

  // Hostile strings: printed escaped, never raw (the harness checks every byte of output).
  for (const args of [
    ['summary', h3, '--top', '1000'],
    ['summary', h3, '--json'],
    ['diff', h1, h2, h3],
    ['diff', h1, h3],
    ['diff', h1, h2, h3, '--json'],
  ])
    cases.push({
      name: `hostile names: ${args.filter((a) => !a.startsWith('/')).join(' ')}`,
      args,
      expect: 'ok',
    });

  // Diffs that would be silently wrong.
  cases.push(
    {
      name: 'diff newest first (3)',
      args: ['diff', s3, s2, s1],
      expect: 'error',
      message: /not in the order/,
    },
    {
      name: 'diff newest first (2)',
      args: ['diff', s2, s1],
      expect: 'error',
      message: /not in the order/,
    },
    {
      name: 'diff in a shuffled order',
      args: ['diff', s2, s1, s3],
      expect: 'error',
      message: /Oldest first/,
    },
    {
      name: 'diff across three processes',
      args: ['diff', s1, p2, h3],
      expect: 'error',
      message: /different processes/,
    },
    {
      name: 'diff across two processes',
      args: ['diff', p1, s2],
      expect: 'error',
      message: /different processes/,
    },
    { name: 'diff in order', args: ['diff', s1, s2, s3], expect: 'ok' },
    { name: 'diff of one snapshot with itself', args: ['diff', s1, s1], expect: 'ok' },
    {
      name: 'diff with a bad middle file names it',
      args: ['diff', s1, file(bytes.subarray(0, 500), 'bad-middle.heapsnapshot'), s3],
      expect: 'error',
      message: /bad-middle\.heapsnapshot/,
    },
    { name: 'diff with one file', args: ['diff', s1], expect: 'error' },
    { name: 'diff with four files', args: ['diff', s1, s2, s3, s1], expect: 'error' },
    { name: 'summary --top 0', args: ['summary', s1, '--top', '0'], expect: 'error' },
    { name: 'summary --top -1', args: ['summary', s1, '--top=-1'], expect: 'error' },
  );
  return cases.map((c) => ({ group: 'snapshots', limitMs: 60_000, ...c }));
}
