import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

// A FIFO blocks an ordinary open() until a writer comes, in a libuv thread that nothing can
// interrupt; these run the CLI in a child process so that a hang fails the test instead of
// hanging it.

const cli = join(__dirname, '../../../src/cli/main.js');
const work = mkdtempSync(join(tmpdir(), 'leakhunt-regular-'));
after(() => rmSync(work, { recursive: true, force: true }));

let counter = 0;
function fifo(name = 'f.heapsnapshot'): string {
  const dir = join(work, `case-${++counter}`);
  mkdirSync(dir);
  const path = join(dir, name);
  const made = spawnSync('mkfifo', [path]);
  assert.equal(made.status, 0, String(made.stderr));
  return path;
}

function leakhunt(args: string[]): { status: number | null; stderr: string; stdout: string } {
  const run = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    timeout: 15_000,
    cwd: work,
  });
  return { status: run.status, stderr: run.stderr, stdout: run.stdout };
}

const skipOnWindows = { skip: process.platform === 'win32' ? 'no FIFOs' : false };

test('summary and diff refuse a FIFO at once, exit 2, naming what it is', skipOnWindows, () => {
  const pipe = fifo();
  const summary = leakhunt(['summary', pipe]);
  assert.equal(summary.status, 2, summary.stderr);
  assert.match(summary.stderr, /named pipe \(FIFO\), not a regular file/);
  const diff = leakhunt(['diff', pipe, pipe]);
  assert.equal(diff.status, 2, diff.stderr);
  assert.match(diff.stderr, /named pipe/);
});

test(
  'a FIFO with a writer is refused too, not read to a cryptic ESPIPE',
  skipOnWindows,
  async () => {
    const pipe = fifo();
    // Holds the FIFO open for writing (opening for read and write never blocks on Linux).
    const fd = openSync(pipe, 'r+');
    try {
      const summary = leakhunt(['summary', pipe]);
      assert.equal(summary.status, 2, summary.stderr);
      assert.match(summary.stderr, /named pipe/);
      assert.doesNotMatch(summary.stderr, /ESPIPE/);
    } finally {
      closeSync(fd);
    }
  },
);

test('a folder, a device and a FIFO pack are refused by summary and unpack', skipOnWindows, () => {
  const folder = leakhunt(['summary', work]);
  assert.equal(folder.status, 2);
  assert.match(folder.stderr, /is a folder, not a regular file/);
  const device = leakhunt(['summary', '/dev/zero']);
  assert.equal(device.status, 2);
  assert.match(device.stderr, /character device/);
  const pipe = fifo('pack.zip');
  const unpack = leakhunt(['unpack', pipe, join(work, 'never')]);
  assert.equal(unpack.status, 2, unpack.stderr);
  assert.match(unpack.stderr, /named pipe/);
});

test('an exercise.json that is a FIFO is refused, not waited on', skipOnWindows, () => {
  const manifest = fifo('exercise.json');
  const run = leakhunt(['hunt', join(manifest, '..')]);
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, /exercise\.json cannot be read \(it is a named pipe \(FIFO\)/);
});

/** Resolves once `child` has printed `text` on stdout. */
function printed(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) resolve();
    });
    child.once('exit', () => reject(new Error(`exited before printing '${text}'`)));
  });
}

test(
  'a second Ctrl-C ends the CLI at once, even with a thread blocked in the kernel',
  skipOnWindows,
  async () => {
    const pipe = fifo();
    const interrupt = join(__dirname, '../../../src/cli/interrupt.js');
    // What the CLI's main does, then an open that blocks for good: no writer ever comes.
    const script = `
    const { stopOnInterrupt } = require(${JSON.stringify(interrupt)});
    stopOnInterrupt(new AbortController(), () => {});
    require('node:fs/promises').open(${JSON.stringify(pipe)}, 'r');
    setTimeout(() => console.log('blocked'), 200);
    setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    try {
      await printed(child, 'blocked');
      child.kill('SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 200));
      child.kill('SIGINT');
      const outcome = await Promise.race([
        exited,
        new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 5000)),
      ]);
      assert.deepEqual(outcome, { code: null, signal: 'SIGINT' });
    } finally {
      child.kill('SIGKILL');
    }
  },
);

test('--snapshots naming a file is a one-line usage error, before anything starts', () => {
  const file = join(work, 'not-a-folder');
  writeFileSync(file, 'x');
  const run = leakhunt([
    'hunt',
    '--entry',
    join(work, 'absent.js'),
    '--request',
    'GET /',
    '--snapshots',
    file,
  ]);
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, /--snapshots .*not-a-folder: that is a file, not a folder/);
  assert.doesNotMatch(run.stderr, /EEXIST|starting/);
});
