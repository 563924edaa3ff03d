import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { captureIo } from '../../support/cliIo';

test('an unknown command exits 2 with a one-line error naming it', async () => {
  const io = captureIo();
  assert.equal(await runCli(['frobnicate'], io), 2);
  assert.deepEqual(io.stdout, []);
  assert.match(io.stderr.join('\n'), /unknown command 'frobnicate'/);
});

test('help lists the usage and --version prints the package version', async () => {
  const io = captureIo();
  assert.equal(await runCli(['help'], io), 0);
  assert.match(io.stdout.join('\n'), /Usage: leakhunt <command>/);
  const versionIo = captureIo();
  assert.equal(await runCli(['--version'], versionIo), 0);
  assert.match(versionIo.stdout[0] ?? '', /^\d+\.\d+\.\d+$/);
});
