import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../../src/cli/main';
import type { DiffResult, SummaryResult } from '../../../src/heap/results';
import { generateTriple } from '../../fixtures/heap/generate';
import { captureIo } from '../../support/cliIo';

let triple: ReturnType<typeof generateTriple>;
before(() => {
  triple = generateTriple('globalObject', 9);
});
after(() => rmSync(triple.dir, { recursive: true, force: true }));

test('summary --json prints the stable shape, sorted by retained size, limited by --top', async () => {
  const io = captureIo();
  assert.equal(await runCli(['summary', triple.final, '--json', '--top', '4'], io), 0);
  const result = JSON.parse(io.stdout.join('\n')) as SummaryResult;
  assert.deepEqual(Object.keys(result), ['nodeCount', 'edgeCount', 'totalSize', 'classes']);
  assert.equal(result.classes.length, 4);
  assert.deepEqual(Object.keys(result.classes[0]), [
    'name',
    'count',
    'selfSize',
    'retainedSize',
    'distance',
  ]);
  const sizes = result.classes.map((c) => c.retainedSize);
  assert.deepEqual(
    sizes,
    [...sizes].sort((a, b) => b - a),
  );
});

test('diff of three prints the suspect path joined by arrows; --json has the contract', async () => {
  const io = captureIo();
  assert.equal(await runCli(['diff', triple.baseline, triple.target, triple.final], io), 0);
  const text = io.stdout.join('\n');
  assert.match(text, /1\. 9 × .* held by activeSessionsCache/);
  assert.match(text, /\(global\) → activeSessionsCache → \d+/);
  const json = captureIo();
  assert.equal(
    await runCli(['diff', triple.baseline, triple.target, triple.final, '--json'], json),
    0,
  );
  const result = JSON.parse(json.stdout.join('\n')) as DiffResult;
  assert.deepEqual(Object.keys(result), ['classes', 'suspects', 'survivors']);
  assert.ok(result.survivors!.bytes > 0);
  assert.deepEqual(Object.keys(result.classes[0]), [
    'name',
    'newCount',
    'deletedCount',
    'countDelta',
    'addedSize',
    'removedSize',
    'sizeDelta',
  ]);
  assert.equal(result.suspects[0].count, 9);
});

test('bad input exits 2 with one line naming the problem and the byte', async () => {
  const bad = join(triple.dir, 'bad.heapsnapshot');
  writeFileSync(bad, '{"snapshot":{"meta":');
  const io = captureIo();
  assert.equal(await runCli(['diff', bad, triple.target], io), 2);
  assert.equal(io.stderr.length, 1);
  assert.match(io.stderr[0], /^leakhunt diff: .*truncated.* \(byte \d+\)$/);
  const usage = captureIo();
  assert.equal(await runCli(['summary'], usage), 2);
  assert.match(usage.stderr[0], /expects one \.heapsnapshot file/);
});
