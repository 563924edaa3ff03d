import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadExercise } from '../../../src/exercises/exercise';
import type { ExerciseManifest } from '../../../src/exercises/manifest';
import { ServiceExitedError } from '../../../src/inspector/errors';
import { checkApp, inProcessDiff } from '../../../src/hunt';
import { childPids, miniLeakDir, processesInGroup, servicesDir } from '../inspector/support';

/** The leak check as `leakhunt check` runs it, with progress messages as plain lines. */
function runLeakCheck(options: {
  appDir: string;
  manifest: ExerciseManifest;
  onProgress?: (message: string) => void;
}) {
  const { onProgress, ...rest } = options;
  return checkApp({ ...rest, diff: inProcessDiff, onEvent: (e) => onProgress?.(e.message) });
}

test('the check finds the planted leak and passes the reference fix', async () => {
  const { appDir, dir, manifest } = await loadExercise(miniLeakDir);
  const leaky = await runLeakCheck({ appDir, manifest });
  assert.equal(leaky.verdict, 'leak', leaky.reason);
  assert.equal(leaky.service, 'api');
  const step = manifest.check.step;
  assert.deepEqual(
    leaky.ladder.map((rung) => rung.requests),
    [0, step, 2 * step, 3 * step],
  );
  // A check keeps no snapshot files and records no allocation stacks.
  assert.deepEqual(leaky.snapshots, []);
  assert.equal(leaky.evidence.allocationTracking, false);
  assert.ok(leaky.evidence.survivingBytesPerRequest! > manifest.check.thresholdBytesPerRequest);
  const fixed = await runLeakCheck({ appDir: join(dir, manifest.solution!), manifest });
  assert.equal(fixed.verdict, 'no-leak', fixed.reason);
  assert.ok(fixed.evidence.survivingBytesPerRequest! < manifest.check.thresholdBytesPerRequest / 2);
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
