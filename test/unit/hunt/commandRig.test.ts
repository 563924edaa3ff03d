import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { runCli } from '../../../src/cli/main';
import {
  CommandStartError,
  inProcessDiff,
  runHuntPipeline,
  withCommandRig,
  type CommandRigOptions,
  type HuntPlan,
  type HuntReport,
} from '../../../src/hunt';
import { captureIo } from '../../support/cliIo';
import { childPids, eventually, processesInGroup, servicesDir } from '../inspector/support';

const node = process.execPath;
/** npm must not look for its own updates (there is no network) nor print about it. */
const quietNpm = { npm_config_update_notifier: 'false', npm_config_fund: 'false' };

/** A process's group id and command line, from /proc. */
function processInfo(pid: number): { group: number; commandLine: string[] } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const group = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  return { group, commandLine };
}

/**
 * Records this process's children while `work` runs (a command leads its own process group, so
 * its pid is the group to check), and asserts that not one process of those groups outlives it.
 */
async function leavesNoProcess<T>(work: () => Promise<T>): Promise<T> {
  const leaders = new Set<number>();
  const look = (): void => childPids().forEach((pid) => leaders.add(pid));
  const timer = setInterval(look, 20);
  try {
    return await work();
  } finally {
    clearInterval(timer);
    look();
    for (const pid of leaders) assert.deepEqual(processesInGroup(pid), [], `group ${pid} is gone`);
  }
}

/** A short check plan: enough rungs for a verdict, few requests. */
function smallCheck(service: string): HuntPlan {
  return {
    service,
    requests: [{ service, method: 'GET', path: '/visit/{n}' }],
    warmup: 100,
    requestsPerRung: 600,
    rungs: 3,
    thresholdBytesPerRequest: 256,
    trackAllocations: false,
    top: 0,
  };
}

async function withTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'leakhunt-command-test-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('hunt -- node leaky.mjs reports the leak and names the leaking class', async () => {
  const io = captureIo({ cwd: servicesDir });
  const code = await leavesNoProcess(() =>
    runCli(
      [
        'hunt',
        ...['--request', 'GET /visit/{n}', '--count', '800', '--warmup', '100', '--json'],
        '--',
        node,
        'leaky.mjs',
      ],
      io,
    ),
  );
  assert.equal(code, 0, io.stderr.join('\n'));
  const report = JSON.parse(io.stdout.join('\n')) as HuntReport;
  try {
    assert.equal(report.verdict, 'leak', report.reason);
    assert.equal(report.service, 'leaky');
    assert.equal(report.suspects[0]?.name, 'Session');
    assert.equal(report.evidence.allocationTracking, true);
  } finally {
    await rm(join(report.snapshots[0]!, '..'), { recursive: true, force: true });
  }
});

test('a command whose program runs out of memory is told as that, not as its dropped inspector', async () => {
  const io = captureIo({ cwd: servicesDir });
  const code = await leavesNoProcess(() =>
    runCli(
      [
        'hunt',
        ...['--request', 'GET /', '--count', '600', '--warmup', '100'],
        '--',
        node,
        '--max-old-space-size=32',
        'oom.mjs',
      ],
      io,
    ),
  );
  assert.equal(code, 2);
  assert.match(io.stderr.join('\n'), /service 'oom' ran out of memory/);
});

test('npm start through a shell wrapper: the inspector is in the server, not in npm', async () => {
  await withTempDir(async (dir) => {
    await writeFile(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'npm-served', private: true, scripts: { start: 'sh ./serve.sh' } }),
    );
    // No `exec`: the shell stays between npm and the server.
    await writeFile(join(dir, 'serve.sh'), `"${node}" "${join(servicesDir, 'leaky.mjs')}"\n`);
    const options: CommandRigOptions = { command: ['npm', 'start'], cwd: dir, env: quietNpm };
    const report = await leavesNoProcess(() =>
      withCommandRig(options, async (rig) => {
        const [service] = rig.services;
        // Named after the package it runs in.
        assert.equal(service?.name, 'npm-served');
        const server = processInfo(service.session.pid!);
        assert.ok(
          server.commandLine.some((arg) => arg.endsWith('leaky.mjs')),
          `the inspected process runs ${server.commandLine.join(' ')}`,
        );
        // npm leads the group; the server is further down (npm → sh → sh → node).
        assert.notEqual(server.group, service.session.pid);
        assert.match(processInfo(server.group).commandLine.join(' '), /npm/);
        assert.ok(processesInGroup(server.group).length >= 3);
        return runHuntPipeline(rig, smallCheck(service.name), {
          snapshotDir: join(dir, 'snapshots'),
          diff: inProcessDiff,
        });
      }),
    );
    assert.equal(report.verdict, 'leak', report.reason);
  });
});

test('a program that listens on a port of its own choosing is found there', async () => {
  const options: CommandRigOptions = { command: [node, 'own-port.mjs'], cwd: servicesDir };
  const stats = await leavesNoProcess(() =>
    withCommandRig(options, (rig) =>
      rig.load([{ service: 'own-port', method: 'GET', path: '/' }], 20, 0),
    ),
  );
  // Nothing listens on PORT: only the detected port can have answered.
  assert.equal(stats.ok, 20);
});

test('a command that exits before listening fails with its stderr tail', async () => {
  const options: CommandRigOptions = { command: [node, 'crash-at-start.mjs'], cwd: servicesDir };
  await leavesNoProcess(() =>
    assert.rejects(
      withCommandRig(options, () => Promise.resolve()),
      (error: unknown) =>
        error instanceof CommandStartError &&
        error.failure === 'exited' &&
        error.stderrTail.includes('DATABASE_URL is not set'),
    ),
  );
});

test('a Node program that never listens, and a program that is not Node, time out apart', async () => {
  const neverListens: CommandRigOptions = {
    command: [node, 'never-listens.mjs'],
    cwd: servicesDir,
    startTimeoutMs: 1500,
  };
  const notNode: CommandRigOptions = {
    command: ['sleep', '30'],
    cwd: servicesDir,
    startTimeoutMs: 1000,
  };
  await leavesNoProcess(async () => {
    await assert.rejects(
      withCommandRig(neverListens, () => Promise.resolve()),
      (error: unknown) => error instanceof CommandStartError && error.failure === 'not-listening',
    );
    await assert.rejects(
      withCommandRig(notNode, () => Promise.resolve()),
      (error: unknown) => error instanceof CommandStartError && error.failure === 'not-node',
    );
  });
  const missing: CommandRigOptions = { command: ['leakhunt-no-such-program'], cwd: servicesDir };
  await assert.rejects(
    withCommandRig(missing, () => Promise.resolve()),
    (error: unknown) => error instanceof CommandStartError && error.failure === 'spawn',
  );
});

test('an abort while starting or while hunting stops the whole group', async () => {
  const starting = new AbortController();
  const slow: CommandRigOptions = {
    command: [node, 'never-listens.mjs'],
    cwd: servicesDir,
    signal: starting.signal,
  };
  const stopStart = new Error('stop while starting');
  setTimeout(() => starting.abort(stopStart), 300);
  await leavesNoProcess(() =>
    assert.rejects(
      withCommandRig(slow, () => Promise.resolve()),
      (error: unknown) => error === stopStart,
    ),
  );

  const hunting = new AbortController();
  const stopHunt = new Error('stop while hunting');
  const steady: CommandRigOptions = {
    command: [node, 'steady.mjs'],
    cwd: servicesDir,
    signal: hunting.signal,
  };
  await leavesNoProcess(() =>
    assert.rejects(
      withCommandRig(steady, async (rig) => {
        await rig.load([{ service: 'steady', method: 'GET', path: '/' }], 10, 0);
        hunting.abort(stopHunt);
        await rig.guard(new Promise(() => undefined));
      }),
      (error: unknown) => error === stopHunt,
    ),
  );
});

test('the command dies with Leak Hunt, even when Leak Hunt is killed by SIGKILL', async () => {
  await withTempDir(async (dir) => {
    await writeFile(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'killed', private: true, scripts: { start: 'sh ./serve.sh' } }),
    );
    await writeFile(join(dir, 'serve.sh'), `"${node}" "${join(servicesDir, 'steady.mjs')}"\n`);
    const launcherTmp = join(dir, 'tmp');
    await mkdir(launcherTmp);
    const launcher = spawn(
      node,
      [join(__dirname, 'commandLauncherProcess.js'), dir, 'npm', 'start'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, TMPDIR: launcherTmp },
      },
    );
    let group = 0;
    try {
      const [line] = (await once(createInterface({ input: launcher.stdout }), 'line')) as [string];
      ({ group } = JSON.parse(line) as { pid: number; group: number });
      assert.ok(processesInGroup(group).length >= 3);
      launcher.kill('SIGKILL');
      await once(launcher, 'exit');
      await eventually(() => processesInGroup(group).length === 0, 5000);
      // The watchdog removes the listen preload's folder after the group.
      await eventually(() => readdirSync(launcherTmp).length === 0, 2000);
    } finally {
      launcher.kill('SIGKILL');
      if (group > 0 && processesInGroup(group).length > 0) process.kill(-group, 'SIGKILL');
    }
  });
});
