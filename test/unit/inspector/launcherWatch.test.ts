import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { launchServices } from '../../../src/inspector/launch';
import type { ExitInfo } from '../../../src/inspector/types';
import { eventually, processesInGroup, servicesDir } from './support';

/** A folder holding one service, `service.mjs`, written by the test itself. */
async function serviceDir(source: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'leakhunt-watch-service-'));
  await writeFile(join(dir, 'service.mjs'), source);
  return dir;
}

/** What a service reports about its own process, to compare with a plain `node` run. */
const INTROSPECT = `
import http from 'node:http';
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

if (process.argv[2] === 'forked') {
  process.send({ execArgv: process.execArgv });
  process.disconnect();
} else {
  http
    .createServer(async (req, res) => {
      const worker = new Worker('require("node:worker_threads").parentPort.postMessage(42)', {
        eval: true,
      });
      const child = fork(fileURLToPath(import.meta.url), ['forked'], { stdio: 'ignore' });
      const [[fromWorker], [fromFork]] = await Promise.all([
        once(worker, 'message'),
        once(child, 'message'),
      ]);
      res.end(
        JSON.stringify({
          send: typeof process.send,
          execArgv: process.execArgv,
          variables: Object.keys(process.env).filter((name) => name.startsWith('LEAKHUNT')),
          fromWorker,
          forkExecArgv: fromFork.execArgv,
          commandLine: readFileSync('/proc/self/cmdline', 'utf8').split('\\0'),
        }),
      );
    })
    .listen(Number(process.env.PORT), process.env.HOST);
}
`;

interface Introspection {
  send: string;
  execArgv: string[];
  variables: string[];
  fromWorker: number;
  forkExecArgv: string[];
  commandLine: string[];
}

test('the service sees nothing of the watchdog: no process.send, flags, variables', async () => {
  const dir = await serviceDir(INTROSPECT);
  try {
    const group = await launchServices({
      appDir: dir,
      services: [{ name: 'service', entry: 'service.mjs' }],
    });
    let seen: Introspection;
    try {
      seen = (await (await fetch(group.url('service'))).json()) as Introspection;
    } finally {
      await group.stop();
    }
    assert.equal(seen.send, 'undefined');
    assert.deepEqual(seen.execArgv, ['--inspect=127.0.0.1:0']);
    assert.deepEqual(seen.variables, []);
    assert.equal(seen.fromWorker, 42);
    assert.deepEqual(seen.forkExecArgv, ['--inspect=127.0.0.1:0']);
    // No preload either: the watchdog is a process of its own.
    assert.ok(!seen.commandLine.includes('--require'), seen.commandLine.join(' '));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a service that ends by itself still does, with its own exit code', async () => {
  const dir = await serviceDir(`
import http from 'node:http';
const server = http.createServer((req, res) => {
  res.setHeader('connection', 'close');
  res.end('bye');
  // Nothing is left to keep the process alive: it ends by itself, unless the watch holds it.
  server.close();
  process.exitCode = 7;
});
server.listen(Number(process.env.PORT), process.env.HOST);
`);
  try {
    await using group = await launchServices({
      appDir: dir,
      services: [{ name: 'service', entry: 'service.mjs' }],
    });
    assert.equal(await (await fetch(group.url('service'))).text(), 'bye');
    let bound: NodeJS.Timeout | undefined;
    const exit = await Promise.race([
      group.service('service').exited,
      new Promise<ExitInfo>((_, reject) => {
        bound = setTimeout(() => reject(new Error('the service did not end by itself')), 10000);
      }),
    ]).finally(() => clearTimeout(bound));
    assert.equal(exit.code, 7);
    assert.equal(exit.signal, null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a service and its children die with their launcher, even one killed by SIGKILL', async () => {
  // The launcher's own temp folder, so the test can see that the preload is cleaned up too.
  const launcherTmp = await mkdtemp(join(tmpdir(), 'leakhunt-watch-test-'));
  const launcher = spawn(
    process.execPath,
    [join(__dirname, 'launcherProcess.js'), servicesDir, 'with-child.mjs'],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TMPDIR: launcherTmp } },
  );
  let pid = 0;
  try {
    const [line] = (await once(createInterface({ input: launcher.stdout }), 'line')) as [string];
    pid = (JSON.parse(line) as { pid: number }).pid;
    assert.ok(pid > 0);
    // The service and the helper it spawned share the service's process group.
    await eventually(() => processesInGroup(pid).length === 2);
    launcher.kill('SIGKILL');
    await once(launcher, 'exit');
    await eventually(() => processesInGroup(pid).length === 0, 5000);
    assert.deepEqual(readdirSync(launcherTmp), [], 'nothing of the launch is left behind');
  } finally {
    launcher.kill('SIGKILL');
    // Without the watch the test's own services would be left running: end them here.
    if (pid > 0 && processesInGroup(pid).length > 0) process.kill(-pid, 'SIGKILL');
    await rm(launcherTmp, { recursive: true, force: true });
  }
});
