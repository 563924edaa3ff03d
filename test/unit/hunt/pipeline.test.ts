import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadExercise } from '../../../src/exercises/exercise';
import type { ExerciseManifest } from '../../../src/exercises/manifest';
import { huntApp, inProcessDiff, type HuntEvent } from '../../../src/hunt';
import { ServiceExitedError } from '../../../src/inspector/errors';
import { childPids, miniLeakDir, processesInGroup, servicesDir } from '../inspector/support';

/** `huntApp` as `leakhunt hunt` runs it, with progress messages as plain lines. */
function hunt(options: {
  appDir: string;
  manifest: ExerciseManifest;
  snapshotDir: string;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}) {
  const { onProgress, ...rest } = options;
  return huntApp({
    ...rest,
    kind: 'hunt',
    diff: inProcessDiff,
    onEvent: (event: HuntEvent) => onProgress?.(event.message),
  });
}

test('a hunt names the growing service, the leaking class and its source line', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'leakhunt-hunt-'));
  try {
    const { appDir, manifest } = await loadExercise(miniLeakDir);
    const result = await hunt({ appDir, manifest, snapshotDir: dir });
    for (const field of ['verdict', 'service', 'bytesPerRequest', 'snapshots', 'suspects'])
      assert.ok(field in result, `kept field ${field}`);
    assert.equal(result.verdict, 'leak', result.reason);
    assert.equal(result.service, 'api');
    assert.ok(result.bytesPerRequest > manifest.check.thresholdBytesPerRequest);
    assert.deepEqual(
      result.snapshots.map((file) => file.slice(dir.length + 1)),
      ['api-1-baseline.heapsnapshot', 'api-2-target.heapsnapshot', 'api-3-final.heapsnapshot'],
    );
    assert.deepEqual(
      readdirSync(dir).sort(),
      result.snapshots.map((f) => f.slice(dir.length + 1)),
    );
    // Four rungs (after the warm-up and after each of three loads), the last three snapshotted.
    const count = manifest.load.count!;
    assert.deepEqual(
      result.ladder.map((rung) => [rung.requests, rung.snapshot !== undefined]),
      [
        [0, false],
        [count, true],
        [2 * count, true],
        [3 * count, true],
      ],
    );
    const { evidence } = result;
    assert.equal(evidence.growthPerRung.length, 3);
    assert.equal(evidence.allocationTracking, true);
    assert.ok(evidence.survivingBytesPerRequest! > manifest.check.thresholdBytesPerRequest);
    assert.ok(evidence.explainedShare! > 0.5, `suspects explain ${evidence.explainedShare}`);
    assert.match(result.reason, /survived the next/);
    const top = result.suspects[0];
    assert.equal(top?.name, 'Session');
    // Allocated during the middle load (count requests) and still alive at the end.
    assert.equal(top?.count, count);
    assert.equal(top?.location?.file, join(appDir, 'server.mjs'));
    assert.ok(top?.path.includes('sessions'), top?.path.join(' → '));
    const { timings } = result;
    assert.ok(timings.snapshotMs > 0 && timings.totalMs >= timings.snapshotMs);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an interrupted hunt stops its services and leaves no partial snapshot', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'leakhunt-hunt-'));
  try {
    const { appDir, manifest } = await loadExercise(miniLeakDir);
    const controller = new AbortController();
    const reason = new Error('Ctrl-C');
    const pids = new Set<number>();
    let partialSeen = false;
    await assert.rejects(
      hunt({
        appDir,
        manifest,
        snapshotDir: dir,
        signal: controller.signal,
        onProgress: (message) => {
          childPids().forEach((pid) => pids.add(pid));
          if (/target snapshot \d+%/.test(message) && !controller.signal.aborted) {
            partialSeen = existsSync(join(dir, 'api-2-target.heapsnapshot.part'));
            controller.abort(reason);
          }
        },
      }),
      (error) => error === reason,
    );
    assert.ok(partialSeen, 'the hunt was stopped while a snapshot was being written');
    assert.deepEqual(readdirSync(dir), ['api-1-baseline.heapsnapshot']);
    assert.ok(pids.size >= 1);
    for (const pid of pids) assert.deepEqual(processesInGroup(pid), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('with several services the hunt snapshots the one that grows, not the one that is loaded', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'leakhunt-hunt-'));
  try {
    const { manifest } = await loadExercise(miniLeakDir);
    const result = await hunt({
      appDir: servicesDir,
      manifest: {
        ...manifest,
        services: [
          { name: 'back', entry: 'leaky.mjs' },
          { name: 'front', entry: 'front.mjs' },
        ],
        load: { requests: [{ service: 'front', method: 'GET', path: '/{n}' }], count: 300 },
        check: { ...manifest.check, service: 'front' },
      },
      snapshotDir: dir,
    });
    assert.equal(result.service, 'back');
    assert.equal(result.verdict, 'leak', result.reason);
    const growth = result.evidence.services!;
    assert.deepEqual(
      growth.map((g) => g.service),
      ['back', 'front'],
    );
    assert.ok(growth[0]!.bytesPerRequest > growth[1]!.bytesPerRequest);
    assert.ok(result.snapshots.every((file) => file.includes('back-')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a service dying during a snapshot is reported as its exit, not as a dropped connection', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'leakhunt-hunt-'));
  try {
    const { appDir, manifest } = await loadExercise(miniLeakDir);
    let killed = false;
    await assert.rejects(
      hunt({
        appDir,
        manifest,
        snapshotDir: dir,
        onProgress: (message) => {
          if (!killed && /baseline snapshot \d+%/.test(message)) {
            killed = true;
            for (const pid of childPids()) process.kill(pid, 'SIGKILL');
          }
        },
      }),
      (error: unknown) =>
        error instanceof ServiceExitedError &&
        error.service === 'api' &&
        error.exit.signal === 'SIGKILL' &&
        /was killed by SIGKILL/.test(error.message),
    );
    assert.ok(killed);
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
