import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadExercise } from '../../../src/exercises/exercise';
import type { ExerciseManifest } from '../../../src/exercises/manifest';
import { ServiceExitedError } from '../../../src/inspector/errors';
import { bytesPerRequest, judgeLadder, runLeakCheck } from '../../../src/inspector/leakCheck';
import { childPids, miniLeakDir, processesInGroup, servicesDir } from './support';

const ladder = (...heaps: number[]) =>
  heaps.map((usedHeap, i) => ({ requests: [0, 100, 200, 400][i]!, usedHeap }));

test('the slope is the least-squares bytes per request', () => {
  assert.equal(bytesPerRequest(ladder(1000, 51000, 101000, 201000)), 500);
  assert.equal(bytesPerRequest(ladder(5000)), 0);
});

test('a leak needs both a slope above the threshold and growth at every rung', () => {
  assert.deepEqual(judgeLadder(ladder(0, 100_000, 200_000, 400_000), 500), {
    verdict: 'leak',
    bytesPerRequest: 1000,
    monotonic: true,
  });
  // Steep on average but one rung fell back: noise, not a leak.
  assert.equal(judgeLadder(ladder(0, 300_000, 200_000, 400_000), 500).verdict, 'no-leak');
  // Growing at every rung, but slowly.
  assert.equal(judgeLadder(ladder(0, 1000, 2000, 4000), 500).verdict, 'no-leak');
});

test('the check finds the planted leak and passes the reference fix', async () => {
  const { appDir, dir, manifest } = await loadExercise(miniLeakDir);
  const leaky = await runLeakCheck({ appDir, manifest });
  assert.equal(leaky.verdict, 'leak');
  assert.equal(leaky.service, 'api');
  assert.deepEqual(
    leaky.ladder.map((step) => step.requests),
    [0, 200, 400, 800],
  );
  assert.ok(leaky.bytesPerRequest > manifest.check.thresholdBytesPerRequest);
  const fixed = await runLeakCheck({ appDir: join(dir, manifest.solution), manifest });
  assert.equal(fixed.verdict, 'no-leak');
  assert.ok(fixed.bytesPerRequest < manifest.check.thresholdBytesPerRequest);
});

test('a service that runs out of memory under load is reported as such, with its stderr', async () => {
  const manifest: ExerciseManifest = {
    id: 'oom',
    title: 'oom',
    summary: 'oom',
    difficulty: 'easy',
    minutes: 1,
    scenario: 'x.md',
    services: [{ name: 'hog', entry: 'oom.mjs', nodeArgs: ['--max-old-space-size=32'] }],
    load: { requests: [{ service: 'hog', method: 'GET', path: '/' }], concurrency: 2 },
    hints: [],
    tests: { command: 'true' },
    check: { service: 'hog', warmup: 10, step: 200, thresholdBytesPerRequest: 1000 },
    solution: 'solution',
  };
  const logged: string[] = [];
  await assert.rejects(
    runLeakCheck({ appDir: servicesDir, manifest, onProgress: (m) => logged.push(m) }),
    (error: unknown) =>
      error instanceof ServiceExitedError &&
      error.service === 'hog' &&
      error.exit.outOfMemory &&
      /JavaScript heap out of memory/.test(error.exit.stderrTail) &&
      !/^\s*\d+: 0x[0-9a-f]+ /m.test(error.exit.stderrTail) &&
      /ran out of memory/.test(error.message),
  );
  assert.ok(logged.includes('stopping services'));
});

test('no process outlives a check', async () => {
  const manifest = (await loadExercise(miniLeakDir)).manifest;
  const pids = new Set<number>();
  const result = await runLeakCheck({
    appDir: join(miniLeakDir, 'app'),
    manifest: { ...manifest, check: { ...manifest.check, warmup: 10, step: 10 } },
    onProgress: () => childPids().forEach((pid) => pids.add(pid)),
  });
  assert.equal(result.ladder.length, 4);
  assert.ok(pids.size >= 1, 'the service was seen running');
  for (const pid of pids) assert.deepEqual(processesInGroup(pid), []);
});
