import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServiceStartError } from '../../../src/inspector/errors';
import { launchServices, urlVariable, withoutInspectorFlags } from '../../../src/inspector/launch';
import { eventually, processesInGroup, servicesDir } from './support';

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  assert.equal(response.status, 200);
  return response.json();
}

test('sibling URLs, PORT and HOST reach each service of a pair', async () => {
  await using group = await launchServices({
    appDir: servicesDir,
    services: [
      { name: 'back', entry: 'back.mjs' },
      { name: 'front', entry: 'front.mjs' },
    ],
  });
  assert.match(group.url('front'), /^http:\/\/127\.0\.0\.1:\d+$/);
  const answer = await getJson(`${group.url('front')}/hello`);
  assert.deepEqual(answer, {
    via: 'front',
    back: { service: 'back', path: '/hello', host: '127.0.0.1' },
  });
  assert.equal(urlVariable('price-list'), 'PRICE_LIST_URL');
});

test("the user's NODE_OPTIONS reach the service, minus inspector flags", () => {
  assert.equal(
    withoutInspectorFlags('--require ./trace.js --inspect=0.0.0.0:9229 --max-old-space-size=64'),
    '--require ./trace.js --max-old-space-size=64',
  );
  assert.equal(withoutInspectorFlags('--inspect-brk'), '');
  assert.equal(withoutInspectorFlags(undefined), '');
});

test('a health path makes start-up wait until the service says it is ready', async () => {
  await using group = await launchServices({
    appDir: servicesDir,
    services: [{ name: 'slow', entry: 'health.mjs', health: '/health' }],
  });
  const response = await fetch(`${group.url('slow')}/health`);
  assert.equal(response.status, 200);
});

test('a missing entry file is reported before anything starts', async () => {
  await assert.rejects(
    launchServices({ appDir: servicesDir, services: [{ name: 'ghost', entry: 'nope.mjs' }] }),
    (error: unknown) =>
      error instanceof ServiceStartError &&
      error.service === 'ghost' &&
      /entry file not found: .*nope\.mjs/.test(error.message),
  );
});

test('a service that exits at start-up is reported with its stderr', async () => {
  await assert.rejects(
    launchServices({
      appDir: servicesDir,
      services: [{ name: 'crashy', entry: 'crash-at-start.mjs' }],
    }),
    (error: unknown) =>
      error instanceof ServiceStartError &&
      /exited with code 1 before it was ready/.test(error.message) &&
      /DATABASE_URL is not set/.test(error.stderrTail) &&
      /cannot start without a database/.test(error.stderrTail) &&
      !/Debugger listening/.test(error.stderrTail),
  );
});

test('a service that never listens times out with a clear message and is stopped', async () => {
  const logged: string[] = [];
  await assert.rejects(
    launchServices({
      appDir: servicesDir,
      services: [{ name: 'mute', entry: 'never-listens.mjs' }],
      startTimeoutMs: 4000,
      log: (line) => logged.push(line),
    }),
    (error: unknown) =>
      error instanceof ServiceStartError &&
      /did not listen on port \d+ \(it must listen on process\.env\.PORT\) within 4000 ms/.test(
        error.message,
      ),
  );
  const pid = Number(/\[mute\] started .* \(pid (\d+)\)/.exec(logged.join('\n'))?.[1]);
  assert.ok(pid > 0, 'the service did start');
  await eventually(() => processesInGroup(pid).length === 0);
});

test('stopping a group kills the service and the processes it spawned', async () => {
  const group = await launchServices({
    appDir: servicesDir,
    services: [{ name: 'parent', entry: 'with-child.mjs' }],
  });
  const pgid = group.service('parent').pid;
  await eventually(() => processesInGroup(pgid).length === 2);
  await group.stop();
  await eventually(() => processesInGroup(pgid).length === 0);
  assert.deepEqual(processesInGroup(pgid), []);
  const exit = group.service('parent').exitInfo();
  assert.equal(exit?.signal, 'SIGTERM');
});

test('aborting while services start stops what was started', async () => {
  const controller = new AbortController();
  const pids: number[] = [];
  const logged: string[] = [];
  const launching = launchServices({
    appDir: servicesDir,
    services: [
      { name: 'first', entry: 'with-child.mjs' },
      { name: 'second', entry: 'never-listens.mjs' },
    ],
    signal: controller.signal,
    log: (line) => {
      logged.push(line);
      const started = /started .* \(pid (\d+)\)/.exec(line);
      if (started) pids.push(Number(started[1]));
      if (line.startsWith('[first] ready')) {
        setTimeout(() => controller.abort(new Error('stop')), 100);
      }
    },
  });
  await assert.rejects(launching, /stop/);
  assert.equal(pids.length, 2, logged.join('\n'));
  for (const pid of pids) await eventually(() => processesInGroup(pid).length === 0);
});

test('a frozen service (SIGSTOP) is still stopped, by SIGKILL after the grace period', async () => {
  const group = await launchServices({
    appDir: servicesDir,
    services: [{ name: 'frozen', entry: 'steady.mjs' }],
  });
  const { pid } = group.service('frozen');
  process.kill(pid, 'SIGSTOP');
  await group.stop();
  assert.equal(group.service('frozen').exitInfo()?.signal, 'SIGKILL');
  await eventually(() => processesInGroup(pid).length === 0);
});
