import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { commands } from '../../../src/cli/commands';
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

test('help for each command comes from its lazily loaded module', async () => {
  for (const entry of commands) {
    const io = captureIo();
    assert.equal(await runCli(['help', entry.name], io), 0, entry.name);
    const text = io.stdout.join('\n');
    assert.match(text, new RegExp(`^leakhunt ${entry.name} — `));
    assert.match(text, new RegExp(`Usage: leakhunt ${entry.name} `));
    assert.match(text, /Examples:\n {2}leakhunt /);
  }
  const io = captureIo();
  assert.equal(await runCli(['summary', '--help'], io), 0);
  assert.match(io.stdout.join('\n'), /--top <N>/);
});

test('--version, --help and a heap command do not evaluate the inspector client', () => {
  // A fresh process, so that modules loaded by other tests in this one do not count.
  const main = join(__dirname, '../../../src/cli/main.js');
  const script = `
    const { runCli } = require(${JSON.stringify(main)});
    const io = { out() {}, err() {}, signal: new AbortController().signal, cwd: process.cwd() };
    const loaded = () => Object.keys(require.cache).some((f) => f.includes('chrome-remote-interface'));
    (async () => {
      for (const argv of [['--version'], ['--help'], ['help', 'summary'], ['summary', 'none']])
        await runCli(argv, io);
      const before = loaded();
      await runCli(['help', 'hunt'], io);
      console.log(JSON.stringify({ before, after: loaded() }));
    })();`;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  // `after` shows the probe sees the module once a command that needs it is loaded.
  assert.deepEqual(JSON.parse(run.stdout), { before: false, after: true });
});
