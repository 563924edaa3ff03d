import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  guardWith,
  HuntTimeoutError,
  inProcessDiff,
  runHuntPipeline,
  type HuntPlan,
  type HuntRig,
  type HuntTimeouts,
} from '../../../src/hunt';
import { describeStack } from '../../../src/hunt/timeouts';
import { InspectorError, ServiceExitedError } from '../../../src/inspector/errors';
import type { ExitInfo, InspectorSession, SnapshotOptions } from '../../../src/inspector/types';
import type { LoadStats } from '../../../src/load';

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

const plan: HuntPlan = {
  service: 'api',
  requests: [{ service: 'api', method: 'GET', path: '/' }],
  warmup: 10,
  requestsPerRung: 10,
  rungs: 3,
  thresholdBytesPerRequest: 1000,
  trackAllocations: false,
  top: 0,
};

const answered: LoadStats = {
  sent: 10,
  ok: 10,
  non2xx: 0,
  errors: 0,
  p50Ms: 1,
  p95Ms: 1,
  durationMs: 1,
  requestsPerSecond: 1000,
};

/** A rig whose one service answers at once, except for the parts a test makes hang. */
function fakeRig(parts: {
  load?: HuntRig['load'];
  collectGarbage?: () => Promise<void>;
  takeHeapSnapshot?: (file: string, options?: SnapshotOptions) => Promise<{ bytes: number }>;
}): HuntRig {
  const session = {
    pid: 1,
    collectGarbage: parts.collectGarbage ?? (() => Promise.resolve()),
    heapUsage: () => Promise.resolve({ usedHeap: 1_000_000, totalHeap: 2_000_000 }),
    arrayBuffers: () => Promise.resolve(10_000),
    takeHeapSnapshot: parts.takeHeapSnapshot ?? (() => Promise.resolve({ bytes: 1 })),
    scriptMap: () => ({}),
  } as unknown as InspectorSession;
  const signal = new AbortController().signal;
  return {
    services: [{ name: 'api', session }],
    signal,
    guard: guardWith(signal),
    load: parts.load ?? (() => Promise.resolve(answered)),
  };
}

/** Runs the pipeline with short limits; a hang fails the test instead of stalling it. */
async function huntWith(rig: HuntRig, timeouts: Partial<HuntTimeouts>): Promise<unknown> {
  const dir = await mkdtemp(join(tmpdir(), 'leakhunt-timeouts-'));
  let bound: NodeJS.Timeout | undefined;
  try {
    const run = runHuntPipeline(rig, plan, { snapshotDir: dir, diff: inProcessDiff, timeouts });
    const hang = new Promise<never>((_, reject) => {
      bound = setTimeout(() => reject(new Error('the hunt hung')), 5000);
    });
    return await Promise.race([run, hang]).then(
      () => new Error('the hunt succeeded'),
      (error: unknown) => error,
    );
  } finally {
    clearTimeout(bound);
    await rm(dir, { recursive: true, force: true });
  }
}

test('a load that never finishes ends the hunt with a load timeout', async () => {
  const error = await huntWith(fakeRig({ load: never }), { loadBaseMs: 200, loadPerRequestMs: 1 });
  assert.ok(error instanceof HuntTimeoutError, String(error));
  assert.equal(error.step, 'load');
  assert.equal(error.timeoutMs, 210);
  assert.match(error.message, /^warming up \(10 requests\) did not finish within 210 ms/);
});

test('a garbage collection that never finishes ends the hunt with a measure timeout', async () => {
  const error = await huntWith(fakeRig({ collectGarbage: never }), { measureMs: 200 });
  assert.ok(error instanceof HuntTimeoutError, String(error));
  assert.equal(error.step, 'measure');
  assert.equal(error.service, 'api');
  assert.match(error.message, /^service 'api' did not finish a forced garbage collection/);
});

test('a snapshot without progress is aborted (so it removes its partial file) and reported', async () => {
  let abortedWith: unknown;
  const stalledCapture = (_file: string, options?: SnapshotOptions): Promise<{ bytes: number }> =>
    new Promise((_, reject) =>
      options?.signal?.addEventListener('abort', () => {
        abortedWith = options.signal?.reason;
        reject(options.signal?.reason);
      }),
    );
  const error = await huntWith(fakeRig({ takeHeapSnapshot: stalledCapture }), {
    snapshotStallMs: 200,
  });
  assert.ok(error instanceof HuntTimeoutError, String(error));
  assert.equal(error.step, 'snapshot');
  assert.equal(abortedWith, error, 'the capture saw the abort');
  assert.match(error.message, /^the baseline snapshot of 'api' made no progress for 200 ms/);
});

test('a slow snapshot that keeps making progress is not called stalled', async () => {
  const slowCapture = async (
    _file: string,
    options?: SnapshotOptions,
  ): Promise<{ bytes: number }> => {
    // 600 ms in all, with progress every 50 ms: three times the stall limit, never stalled.
    for (let done = 1; done <= 12; done++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      options?.onProgress?.({ done, total: 12, bytesWritten: done * 100 });
    }
    return { bytes: 1200 };
  };
  const endOfTest = new Error('second load reached');
  let loads = 0;
  const error = await huntWith(
    fakeRig({
      takeHeapSnapshot: slowCapture,
      // The warm-up and load 1 pass; the load after the baseline snapshot ends the test.
      load: () => (++loads <= 2 ? Promise.resolve(answered) : Promise.reject(endOfTest)),
    }),
    { snapshotStallMs: 200 },
  );
  assert.equal(error, endOfTest);
});

test('a stack reads as its first frames, with file names and lines', () => {
  const frames = [
    { functionName: 'spin', file: '/srv/app/server.js', line: 14, column: 3 },
    { functionName: '', file: '/srv/app/server.js', line: 20, column: 5 },
    { functionName: 'emit', file: 'node:events', line: 517, column: 28 },
    { functionName: 'parserOnIncoming', file: 'node:_http_server', line: 1139, column: 12 },
  ];
  assert.equal(
    describeStack(frames),
    'spin (server.js:14) ← (anonymous) (server.js:20) ← emit (node:events:517) ← …',
  );
  assert.equal(describeStack(frames.slice(0, 1)), 'spin (server.js:14)');
});

test("a service's exit that arrives after the error it caused is what the hunt reports", async () => {
  const rig = fakeRig({
    collectGarbage: () => Promise.reject(new InspectorError('WebSocket is not open: readyState 3')),
  });
  const exited = new Promise<ExitInfo>((resolve) =>
    setTimeout(
      () => resolve({ code: null, signal: 'SIGABRT', outOfMemory: true, stderrTail: '' }),
      200,
    ),
  );
  const error = await huntWith({ ...rig, services: [{ ...rig.services[0]!, exited }] }, {});
  assert.ok(error instanceof ServiceExitedError, String(error));
  assert.match(error.message, /service 'api' ran out of memory/);
  const lives = await huntWith(rig, {});
  assert.ok(lives instanceof InspectorError, 'without an exit, the error stands');
});
