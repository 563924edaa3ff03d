import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { suspectLines } from '../../../src/cli/huntReport';
import { runCli } from '../../../src/cli/main';
import { formatBytes } from '../../../src/common/format';
import type { DiffResult, SummaryResult } from '../../../src/heap/results';
import type { HuntReport } from '../../../src/hunt/types';
import { generateTriple } from '../../fixtures/heap/generate';
import { captureIo } from '../../support/cliIo';

// One byte format everywhere (base 1024, KB/MB labels): `leakhunt summary` once printed kB of
// 1000 while `hunt` printed KB of 1024, so the same heap read as two different sizes.

let triple: ReturnType<typeof generateTriple>;
before(() => {
  triple = generateTriple('globalObject', 9);
});
after(() => rmSync(triple.dir, { recursive: true, force: true }));

test('sizes are base 1024 with at most one decimal and a real minus sign', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1000), '1000 B');
  assert.equal(formatBytes(1536), '1.5 KB');
  assert.equal(formatBytes(2048), '2 KB');
  assert.equal(formatBytes(3.25 * 1024 * 1024), '3.3 MB');
  assert.equal(formatBytes(-2048), '\u22122 KB');
});

test('leakhunt summary prints the total and class sizes with the shared formatter', async () => {
  const json = captureIo();
  assert.equal(await runCli(['summary', triple.final, '--json', '--top', '3'], json), 0);
  const result = JSON.parse(json.stdout.join('\n')) as SummaryResult;
  const io = captureIo();
  assert.equal(await runCli(['summary', triple.final, '--top', '3'], io), 0);
  const text = io.stdout.join('\n');
  assert.ok(text.includes(`${formatBytes(result.totalSize)} total`), text);
  for (const c of result.classes) assert.ok(text.includes(formatBytes(c.retainedSize)), c.name);
  assert.doesNotMatch(text, /\bkB\b/);
});

test('hunt and diff name a suspect group the same way: count × class', async () => {
  const json = captureIo();
  const files = [triple.baseline, triple.target, triple.final];
  assert.equal(await runCli(['diff', ...files, '--json'], json), 0);
  const [suspect] = (JSON.parse(json.stdout.join('\n')) as DiffResult).suspects;
  const io = captureIo();
  assert.equal(await runCli(['diff', ...files], io), 0);
  const headline = `${suspect.count} × ${suspect.name}`;
  assert.ok(io.stdout.join('\n').includes(`1. ${headline}`), io.stdout.join('\n'));
  const report = { suspects: [suspect], evidence: {} } as unknown as HuntReport;
  assert.ok(
    suspectLines(report, process.cwd()).some((line) => line.includes(`1. ${headline},`)),
    suspectLines(report, process.cwd()).join('\n'),
  );
});
