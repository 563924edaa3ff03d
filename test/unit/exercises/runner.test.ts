import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCommand, runSetup, splitCommand, type ExerciseManifest } from '../../../src/exercises';

const work = mkdtempSync(join(tmpdir(), 'leakhunt-runner-test-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('commands split into words with quotes grouping, no shell', () => {
  assert.deepEqual(splitCommand(`node -e "console.log('a b')"  x 'y z'`), [
    'node',
    '-e',
    "console.log('a b')",
    'x',
    'y z',
  ]);
});

test('a command reports its exit code and output, without the test runner context', async () => {
  const result = await runCommand(
    { command: `node -e "console.log(String(process.env.NODE_TEST_CONTEXT)); process.exit(3)"` },
    work,
  );
  assert.equal(result.exitCode, 3);
  assert.equal(result.timedOut, false);
  assert.equal(result.output.trim(), 'undefined');
});

test('a command that outlives its timeout is stopped, children included', async () => {
  const script = [
    "const child = require('child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);",
    'console.log(child.pid);',
    'setTimeout(() => {}, 60000);',
  ].join(' ');
  const result = await runCommand({ command: `node -e "${script}"`, timeoutSeconds: 1 }, work);
  assert.equal(result.timedOut, true);
  assert.equal(result.exitCode, null);
  const grandchild = Number(result.output.trim());
  assert.ok(grandchild > 0, 'the grandchild reported its pid');
  assert.equal(await gone(grandchild), true, 'the grandchild was stopped with its parent');
});

/** Waits up to 5 s for a process to disappear (a killed orphan is reaped a moment later). */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

test('an aborted command stops and says so', async () => {
  const controller = new AbortController();
  const running = runCommand({ command: `node -e "setTimeout(() => {}, 60000)"` }, work, {
    signal: controller.signal,
  });
  setTimeout(() => controller.abort(), 100);
  const result = await running;
  assert.equal(result.aborted, true);
  assert.equal(result.exitCode, null);
});

test('setup runs with LEAKHUNT_TYPESCRIPT pointing at a TypeScript compiler', async () => {
  const manifest = {
    setup: { command: `node -e "console.log(process.env.LEAKHUNT_TYPESCRIPT)"` },
  } as ExerciseManifest;
  const result = await runSetup(manifest, work);
  assert.equal(result?.exitCode, 0);
  const path = result!.output.trim();
  assert.match(path, /typescript[\\/]lib[\\/]typescript\.js$/);
  const ts = (await import(path)) as { transpileModule?: unknown };
  assert.equal(typeof ts.transpileModule, 'function');
});

test('an exercise without setup runs nothing', async () => {
  assert.equal(await runSetup({} as ExerciseManifest, work), undefined);
});
