import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { packageRoot } from '../../../src/common/packageRoot';
import { Watchdog } from '../../../src/common/watchdog';
import { launchServices } from '../../../src/inspector/launch';
import { eventually, processesInGroup, servicesDir } from './support';

const hardeningDir = join(packageRoot(), 'test', 'fixtures', 'hardening');

/** Starts a stand-in for the CLI and reads the first JSON line it prints. */
async function startParent<T>(
  script: string,
  args: string[],
): Promise<{ parent: ChildProcess; line: T }> {
  const parent = spawn(process.execPath, [join(__dirname, script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: parent.stdout! }), 'line')) as [string];
  return { parent, line: JSON.parse(line) as T };
}

/** SIGKILLs `parent` (nothing of its own runs then) and waits until it is gone. */
async function killHard(parent: ChildProcess): Promise<void> {
  parent.kill('SIGKILL');
  if (parent.exitCode === null && parent.signalCode === null) await once(parent, 'exit');
}

/** If a test fails, its processes must not outlive it: the group is ended here. */
function endGroup(pgid: number): void {
  if (pgid > 0 && processesInGroup(pgid).length > 0) process.kill(-pgid, 'SIGKILL');
}

test('a service spinning in a handler dies with its launcher, even one killed by SIGKILL', async () => {
  const { parent, line } = await startParent<{ pid: number; url: string }>('launcherProcess.js', [
    hardeningDir,
    'spin.mjs',
  ]);
  try {
    // The request never gets an answer: the service's only thread spins from now on.
    const request = http.get(`${line.url}/spin`).on('error', () => undefined);
    await new Promise((done) => setTimeout(done, 300));
    request.destroy();
    assert.equal(processesInGroup(line.pid).length, 1);
    await killHard(parent);
    await eventually(() => processesInGroup(line.pid).length === 0, 8000);
  } finally {
    parent.kill('SIGKILL');
    endGroup(line.pid);
  }
});

/** Whether a process is alive (and not a zombie). */
function alive(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test("a helper that left the service's group is stopped with the service", async () => {
  let helper = 0;
  try {
    const group = await launchServices({
      appDir: hardeningDir,
      services: [{ name: 'service', entry: 'detached-helper.mjs' }],
    });
    helper = Number(await (await fetch(group.url('service'))).text());
    assert.ok(alive(helper));
    await group.stop();
    await eventually(() => !alive(helper), 5000);
  } finally {
    if (helper > 0 && alive(helper)) process.kill(helper, 'SIGKILL');
  }
});

test("a helper that left the service's group dies with a launcher killed by SIGKILL", async () => {
  const { parent, line } = await startParent<{ pid: number; url: string }>('launcherProcess.js', [
    hardeningDir,
    'detached-helper.mjs',
  ]);
  let helper = 0;
  try {
    helper = Number(await (await fetch(line.url)).text());
    assert.ok(alive(helper));
    await killHard(parent);
    await eventually(() => !alive(helper) && processesInGroup(line.pid).length === 0, 8000);
  } finally {
    parent.kill('SIGKILL');
    endGroup(line.pid);
    if (helper > 0 && alive(helper)) process.kill(helper, 'SIGKILL');
  }
});

test('a setup or test command and its temporary copy go with a CLI killed by SIGKILL', async () => {
  const command = `node -e 'console.log(process.pid); setInterval(() => undefined, 1000)'`;
  const parent = spawn(process.execPath, [join(__dirname, 'killedParent.js'), 'run', command], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let pgid = 0;
  try {
    const lines = createInterface({ input: parent.stdout })[Symbol.asyncIterator]();
    const copy = String((await lines.next()).value);
    pgid = Number((await lines.next()).value);
    assert.ok(existsSync(copy));
    // The command leads its own process group (runCommand spawns it detached).
    assert.deepEqual(processesInGroup(pgid), [pgid]);
    await killHard(parent);
    await eventually(() => processesInGroup(pgid).length === 0 && !existsSync(copy), 8000);
  } finally {
    parent.kill('SIGKILL');
    endGroup(pgid);
  }
});

test('SIGKILL mid-snapshot leaves no partial snapshot and no service behind', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'leakhunt-watchdog-'));
  let pid = 0;
  try {
    const { parent, line } = await startParent<{ pid: number }>('killedParent.js', [
      'snapshot',
      servicesDir,
      'big-heap.mjs',
      join(dir, 'big.heapsnapshot'),
    ]);
    pid = line.pid;
    assert.deepEqual(readdirSync(dir), ['big.heapsnapshot.part']);
    await killHard(parent);
    await eventually(
      () => readdirSync(dir).length === 0 && processesInGroup(pid).length === 0,
      8000,
    );
  } finally {
    endGroup(pid);
    await rm(dir, { recursive: true, force: true });
  }
});

test('the watchdog leaves released groups alone and ends once nothing is guarded', async () => {
  const sleeper = spawn(process.execPath, ['-e', 'setInterval(() => undefined, 1000)'], {
    detached: true,
    stdio: 'ignore',
  });
  const pgid = sleeper.pid!;
  try {
    const watchdog = new Watchdog();
    const release = watchdog.guardGroup(pgid);
    const releaseAgain = watchdog.guardGroup(pgid);
    const watcher = watchdog.pid!;
    assert.ok(watcher > 0);
    release();
    // Still held once: the watchdog stays.
    assert.equal(watchdog.pid, watcher);
    releaseAgain();
    assert.equal(watchdog.pid, undefined);
    await eventually(() => processesInGroup(watcher).length === 0, 5000);
    assert.deepEqual(processesInGroup(pgid), [pgid], 'a released group is not killed');
  } finally {
    endGroup(pgid);
  }
});
