import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../../../src/cli/main';
import type { CliIo } from '../../../src/cli/command';

function capture(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (text) => stdout.push(text),
    err: (text) => stderr.push(text),
    signal: new AbortController().signal,
    cwd: process.cwd(),
  };
}

test('an unknown command exits 2 with a one-line error naming it', async () => {
  const io = capture();
  assert.equal(await runCli(['frobnicate'], io), 2);
  assert.deepEqual(io.stdout, []);
  assert.match(io.stderr.join('\n'), /unknown command 'frobnicate'/);
});

test('help lists the usage and --version prints the package version', async () => {
  const io = capture();
  assert.equal(await runCli(['help'], io), 0);
  assert.match(io.stdout.join('\n'), /Usage: leakhunt <command>/);
  const versionIo = capture();
  assert.equal(await runCli(['--version'], versionIo), 0);
  assert.match(versionIo.stdout[0] ?? '', /^\d+\.\d+\.\d+$/);
});
