import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesPerRequest, judge, type VerdictInput } from '../../../src/hunt/verdict';

const N = 1000;
const T = 500;

/** Rungs every N requests with these heaps after GC. */
function input(heaps: number[], surviving: number, v8Surviving = 0): VerdictInput {
  return {
    rungs: heaps.map((usedHeap, i) => ({ requests: i * N, usedHeap })),
    thresholdBytesPerRequest: T,
    survivingBytesPerRequest: surviving,
    v8SurvivingBytesPerRequest: v8Surviving,
    requestsPerRung: N,
  };
}

test('the slope is the least-squares bytes per request', () => {
  const rungs = [1000, 51000, 101000, 201000].map((usedHeap, i) => ({
    requests: [0, 100, 200, 400][i]!,
    usedHeap,
  }));
  assert.equal(bytesPerRequest(rungs), 500);
  assert.equal(bytesPerRequest(rungs.slice(0, 1)), 0);
});

test('a leak: what each load allocates survives and the heap grows at every rung', () => {
  const judged = judge(input([10e6, 11e6, 12e6, 13e6], 1000));
  assert.equal(judged.verdict, 'leak');
  assert.deepEqual(judged.growthPerRung, [1000, 1000, 1000]);
  assert.equal(judged.lateBytesPerRequest, 1000);
  assert.equal(judged.advice, undefined);
  assert.match(judged.reason, /1000 B per request of what one load allocated survived/);
});

test('one-time warm-up growth that flattens is no leak', () => {
  // The first load grows the heap by 300 KB (lazy init, compiled code), then it stays flat.
  const judged = judge(input([10e6, 10.3e6, 10.301e6, 10.3005e6], 20, 40));
  assert.equal(judged.verdict, 'no-leak');
  assert.equal(judged.monotonic, false);
});

test("growth that is V8's own (compiled code, shapes) is discounted", () => {
  const judged = judge(input([10e6, 10.6e6, 11.2e6, 11.8e6], 30, 560));
  assert.equal(judged.verdict, 'no-leak');
  assert.match(judged.reason, /V8's own/);
});

test('growth that the survivors do not explain is inconclusive, never a coin flip', () => {
  const judged = judge(input([10e6, 10.6e6, 11.2e6, 11.8e6], 30, 0));
  assert.equal(judged.verdict, 'inconclusive');
  assert.equal(judged.advice?.requestsPerRung, 2 * N);
  assert.match(judged.advice!.text, /--count 2000/);
});

test('survivors close to the threshold are inconclusive, with the run that would settle it', () => {
  const judged = judge(input([10e6, 10.4e6, 10.8e6, 11.2e6], 0.7 * T));
  assert.equal(judged.verdict, 'inconclusive');
  assert.match(judged.reason, /close to the threshold/);
});

test('objects that survive while the heap stays flat are inconclusive (a cache filling up?)', () => {
  assert.equal(judge(input([10e6, 11e6, 10.9e6, 11.9e6], 1000)).verdict, 'inconclusive');
  assert.equal(judge(input([10e6, 10.1e6, 10.2e6, 10.3e6], 1000)).verdict, 'inconclusive');
});

test('fewer than three loads never make a verdict', () => {
  const judged = judge(input([10e6, 11e6, 12e6], 1000));
  assert.equal(judged.verdict, 'inconclusive');
  assert.match(judged.reason, /too few rungs/);
});

test('a one-time jump with little surviving is no leak, even when the fitted slope is steep', () => {
  // The heap jumped once by 600 KB (a new V8 page of code, a lazily built table) and stayed.
  let judged = judge(input([10e6, 9.99e6, 10.6e6, 10.63e6], 4));
  assert.equal(judged.verdict, 'no-leak');
  assert.equal(judged.monotonic, false);
  // The same jump amid small steady growth (task-api's fixed service: 291 B, 2 KB, 119 B).
  judged = judge(input([10e6, 10.291e6, 12.291e6, 12.41e6], 134));
  assert.ok(judged.lateBytesPerRequest > T);
  assert.equal(judged.verdict, 'no-leak');
});

test('Buffers kept outside the V8 heap count: a flat heap with growing ArrayBuffer memory is a leak', () => {
  // 64 KiB buffers behind ~200-byte wrappers: the heap grows 200 B per request, buffers 64 KiB.
  const heaps = [10e6, 10.2e6, 10.4e6, 10.6e6];
  const buffers = [1e6, 66.5e6, 132e6, 197.5e6];
  const withBuffers: VerdictInput = {
    ...input(heaps, 65_700),
    rungs: heaps.map((usedHeap, i) => ({ requests: i * N, usedHeap, arrayBuffers: buffers[i]! })),
    thresholdBytesPerRequest: 16_000,
  };
  const judged = judge(withBuffers);
  assert.equal(judged.verdict, 'leak');
  assert.deepEqual(judged.growthPerRung, [65_700, 65_700, 65_700]);
  assert.match(judged.reason, /the heap after GC \(with its buffers\) grew/);
  // The same run read from the heap alone could not call it.
  const heapOnly = judge({
    ...withBuffers,
    rungs: heaps.map((usedHeap, i) => ({ requests: i * N, usedHeap })),
  });
  assert.equal(heapOnly.verdict, 'inconclusive');
});
