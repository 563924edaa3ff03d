import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { diffSnapshots } from '../../../src/heap/analysis';

// Two arrays kept at different depths of one linked list: the same leak, reached through
// `next` once and twice.
const script = `'use strict';
const v8 = require('node:v8');
const { join } = require('node:path');
globalThis.list = { next: { next: { next: null, value: null }, value: null }, value: null };
v8.writeHeapSnapshot(join(__dirname, '1.heapsnapshot'));
globalThis.list.next.value = ['first'];
globalThis.list.next.next.value = ['second'];
v8.writeHeapSnapshot(join(__dirname, '2.heapsnapshot'));
v8.writeHeapSnapshot(join(__dirname, '3.heapsnapshot'));
`;

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'leakhunt-rows-'));
  writeFileSync(join(dir, 'list.js'), script);
  execFileSync(process.execPath, [join(dir, 'list.js')], { stdio: 'ignore', timeout: 60_000 });
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('members of one linked list at different depths are one suspect, not two rows that read alike', async () => {
  const { suspects } = await diffSnapshots({
    baseline: join(dir, '1.heapsnapshot'),
    target: join(dir, '2.heapsnapshot'),
    final: join(dir, '3.heapsnapshot'),
  });
  const arrays = suspects.filter((s) => s.name === 'Array');
  assert.equal(arrays.length, 1);
  assert.equal(arrays[0].count, 2);
  assert.equal(arrays[0].owner, 'next');
});
