import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { packageRoot } from '../../../src/common/packageRoot';
import type { ExerciseManifest } from '../../../src/exercises/manifest';
import {
  inProcessDiff,
  runHuntPipeline,
  ServiceUnresponsiveError,
  withAttachedRig,
  withLaunchedServices,
  type HuntPlan,
} from '../../../src/hunt';
import { freePort, portAccepts } from '../../../src/inspector/launch';
import { processesInGroup } from '../inspector/support';

const hardeningDir = join(packageRoot(), 'test', 'fixtures', 'hardening');

function manifest(entry: string): ExerciseManifest {
  return {
    id: 'stuck',
    title: 'stuck',
    summary: 'stuck',
    difficulty: 'easy',
    minutes: 1,
    scenario: '',
    services: [{ name: 'api', entry }],
    load: { requests: [{ service: 'api', method: 'GET', path: '/work/{n}' }], concurrency: 4 },
    hints: [],
    tests: { command: '' },
    check: { service: 'api', warmup: 500, step: 200, thresholdBytesPerRequest: 1000 },
    solution: '',
  };
}

const plan: HuntPlan = {
  service: 'api',
  requests: [{ service: 'api', method: 'GET', path: '/work/{n}' }],
  warmup: 500,
  requestsPerRung: 200,
  rungs: 3,
  thresholdBytesPerRequest: 1000,
  trackAllocations: false,
  top: 0,
};

/**
 * Hunts the fixture with a 1 s request timeout and returns the error, the pids it ran and how
 * long it took. The test's own bound turns a hang (what the hunt did before) into a failure.
 */
async function huntStuck(entry: string): Promise<{ error: unknown; pids: number[]; ms: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'leakhunt-stuck-'));
  const pids: number[] = [];
  const started = Date.now();
  let bound: NodeJS.Timeout | undefined;
  try {
    const hunting = withLaunchedServices(
      { appDir: hardeningDir, manifest: manifest(entry) },
      (rig) => {
        pids.push(...rig.services.map((s) => s.session.pid!));
        return runHuntPipeline(rig, plan, {
          snapshotDir: dir,
          diff: inProcessDiff,
          timeouts: { requestMs: 1000, pauseMs: 2000 },
        });
      },
    );
    const hang = new Promise<never>((_, reject) => {
      bound = setTimeout(() => reject(new Error('the hunt hung')), 30_000);
    });
    const error = await Promise.race([hunting, hang]).then(
      () => new Error('the hunt succeeded'),
      (failure: unknown) => failure,
    );
    return { error, pids, ms: Date.now() - started };
  } finally {
    clearTimeout(bound);
    await rm(dir, { recursive: true, force: true });
  }
}

test('a service spinning in a handler ends the hunt with where it is stuck, and is stopped', async () => {
  const { error, pids } = await huntStuck('spin.mjs');
  assert.ok(error instanceof ServiceUnresponsiveError, String(error));
  assert.equal(error.service, 'api');
  assert.equal(error.busy?.state, 'busy');
  // The fixture answers 30 requests, then spins on the 31st.
  assert.ok(error.answered > 0 && error.answered <= 30, `answered ${error.answered}`);
  assert.equal(error.busyIn?.[0]?.functionName, 'spinForever');
  assert.equal(error.busyIn?.[0]?.file, join(hardeningDir, 'spin.mjs'));
  assert.match(
    error.message,
    /^service 'api' stopped answering after \d+ requests: no response to GET \/work\/\d+ within 1 s; it is busy in spinForever \(spin\.mjs:8\) ← \(anonymous\) \(spin\.mjs:14\)/,
  );
  assert.equal(pids.length, 1);
  assert.deepEqual(processesInGroup(pids[0]!), [], 'the spinning service was stopped');
});

test('a service blocked outside JavaScript ends the hunt too, saying so', async () => {
  const { error, pids } = await huntStuck('blocked.mjs');
  assert.ok(error instanceof ServiceUnresponsiveError, String(error));
  assert.equal(error.busy?.state, 'blocked');
  assert.equal(error.busyIn, undefined);
  assert.match(
    error.message,
    /not even its inspector answered within 2 s, so it is blocked outside JavaScript/,
  );
  assert.deepEqual(processesInGroup(pids[0]!), []);
});

test('a service that never ends a response is reported idle, not blocked', async () => {
  const { error, pids } = await huntStuck('silent.mjs');
  assert.ok(error instanceof ServiceUnresponsiveError, String(error));
  assert.equal(error.busy?.state, 'idle');
  assert.match(error.message, /after 30 requests: .*; it is idle, running no JavaScript/);
  assert.deepEqual(processesInGroup(pids[0]!), []);
});

test('a hunt over an attached process that blocks while tracking allocations still ends', async () => {
  // The process is the user's (started with --inspect): the hunt tracks allocations over the
  // inspector, and ending that tracking after the failure must not wait on the blocked process.
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--inspect=127.0.0.1:0', join(hardeningDir, 'blocked.mjs')],
    {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'ignore', 'pipe'],
      // Its own group, so that the test can end it with the child its spawnSync blocks on.
      detached: true,
    },
  );
  const dir = await mkdtemp(join(tmpdir(), 'leakhunt-stuck-'));
  let bound: NodeJS.Timeout | undefined;
  try {
    let wsUrl = '';
    for await (const line of createInterface({ input: child.stderr })) {
      wsUrl = /Debugger listening on (ws:\/\/\S+)/.exec(line)?.[1] ?? '';
      if (wsUrl) break;
    }
    child.stderr.resume();
    // Listening, checked without a request: the fixture counts every request it gets.
    for (const until = Date.now() + 10_000; !(await portAccepts(port));) {
      if (Date.now() > until) throw new Error('the fixture did not listen');
      await new Promise((done) => setTimeout(done, 50));
    }
    // The fixture blocks at its 31st request: warm-up 15 and load 1 (10) pass, load 2 blocks
    // while the hunt records allocation stacks (it starts after the baseline snapshot).
    const hunting = withAttachedRig(
      { inspector: { url: wsUrl }, url: `http://127.0.0.1:${port}`, name: 'api' },
      (rig) =>
        runHuntPipeline(
          rig,
          { ...plan, warmup: 15, requestsPerRung: 10, trackAllocations: true },
          {
            snapshotDir: dir,
            diff: inProcessDiff,
            timeouts: { requestMs: 1000, pauseMs: 500, snapshotStallMs: 1000 },
          },
        ),
    );
    const hang = new Promise<never>((_, reject) => {
      bound = setTimeout(() => reject(new Error('the hunt hung')), 30_000);
    });
    const error = await Promise.race([hunting, hang]).then(
      () => new Error('the hunt succeeded'),
      (failure: unknown) => failure,
    );
    assert.ok(error instanceof ServiceUnresponsiveError, String(error));
    assert.equal(error.busy?.state, 'blocked');
  } finally {
    clearTimeout(bound);
    process.kill(-child.pid!, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});
