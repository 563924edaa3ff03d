import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { pinpointOwner } from '../../../src/heap/ownerLine';

async function source(text: string): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'owner-line-')), 'service.js');
  await writeFile(file, text);
  return file;
}

const closure = (file: string) => ({ file, line: 20, column: 3 });

test('lands on the line that adds to an object owner, not its declaration or a comparison', async () => {
  const file = await source(
    [
      'const activeSessionsCache = {};',
      '// activeSessionsCache[id] = record would leak',
      'function count() { return activeSessionsCache[1] == null; }',
      'function remember(id, record) {',
      '  activeSessionsCache[id] = record;',
      '}',
    ].join('\n'),
  );
  assert.deepEqual(await pinpointOwner(closure(file), 'activeSessionsCache'), {
    file,
    line: 5,
    column: 3,
  });
});

test('finds Map, Set and array additions, including on `this`', async () => {
  const file = await source(
    [
      'class Processor {',
      '  constructor() { this.retryQueue = []; }',
      '  fail(item) {',
      '    this.retryQueue.push(item);',
      '  }',
      '}',
    ].join('\n'),
  );
  assert.deepEqual(await pinpointOwner(closure(file), 'retryQueue'), { file, line: 4, column: 10 });
  const map = await source(
    [
      'const seen = new Map();',
      'export function mark(id) {',
      '  seen.set(id, Date.now());',
      '}',
    ].join('\n'),
  );
  assert.equal((await pinpointOwner(closure(map), 'seen')).line, 3);
});

test('falls back to the declaration, and leaves other names and files alone', async () => {
  const file = await source(['let requests = [];', 'module.exports = () => requests;'].join('\n'));
  assert.equal((await pinpointOwner(closure(file), 'requests')).line, 1);
  const longer = await source('const requestsByUser = new Map();\nrequestsByUser.set(1, 2);\n');
  assert.deepEqual(await pinpointOwner(closure(longer), 'requests'), closure(longer));
  assert.deepEqual(
    await pinpointOwner(closure('/no/such/file.js'), 'requests'),
    closure('/no/such/file.js'),
  );
  assert.deepEqual(await pinpointOwner({ file: 'node:internal/timers', line: 1, column: 1 }, 'x'), {
    file: 'node:internal/timers',
    line: 1,
    column: 1,
  });
  assert.deepEqual(
    await pinpointOwner(closure(file), '4711'),
    closure(file),
    'an index is not a variable',
  );
});

test('accepts file:// URLs as the inspector reports them', async () => {
  const file = await source('const cache = {};\ncache[key] = value;\n');
  const url = pathToFileURL(file).href;
  assert.deepEqual(await pinpointOwner({ file: url, line: 9, column: 9 }, 'cache'), {
    file: url,
    line: 2,
    column: 1,
  });
});

test("when the owner lives inside a library's object, lands where the module adds to the variable the path runs through", async () => {
  const file = await source(
    [
      "import Keyv from 'keyv';",
      "const pages = new Keyv({ namespace: 'page' });",
      'async function handle(req, res) {',
      '  const html = render(req.url);',
      '  await pages.set(req.url, html, 1000);',
      '}',
    ].join('\n'),
  );
  const path = ['(module service.js)', 'pages', 'opts', 'store', '14927'];
  assert.deepEqual(await pinpointOwner(closure(file), 'store', undefined, path), {
    file,
    line: 5,
    column: 9,
  });
  const elsewhere = ['(module other.js)', 'pages', 'opts', 'store', '14927'];
  assert.deepEqual(
    await pinpointOwner(closure(file), 'store', undefined, elsewhere),
    closure(file),
    "another module's variables are not this file's",
  );
});
