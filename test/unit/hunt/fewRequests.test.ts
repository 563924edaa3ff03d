import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MIN_REQUESTS_PER_RUNG,
  ONE_TIME_SURVIVOR_BYTES,
  judge,
  minRequestsPerRung,
} from '../../../src/hunt/verdict';

// A healthy server measured at 50 requests per load: one 66 KB one-time survivor (docs/hunt.md)
// spread over 50 requests, and one-time heap growth. The old judge called this a leak.
const fiftyRequests = {
  rungs: [0, 837 * 50, 837 * 50 + 14450 * 50, 837 * 50 + 14645 * 50].map((growth, i) => ({
    requests: i * 50,
    usedHeap: 4_000_000 + growth,
  })),
  thresholdBytesPerRequest: 256,
  survivingBytesPerRequest: Math.round(66450 / 50),
  v8SurvivingBytesPerRequest: 404,
  requestsPerRung: 50,
};

test('too few requests per load give no verdict, with the count that would', () => {
  const judged = judge(fiftyRequests);
  assert.equal(judged.verdict, 'inconclusive');
  assert.match(judged.reason, /^too few requests per load for a verdict \(50; at least \d+ /);
  assert.equal(judged.advice?.requestsPerRung, minRequestsPerRung(256));
  assert.match(judged.advice!.text, new RegExp(`--count ${minRequestsPerRung(256)}\\b`));
});

test('the fewest requests spread one-time survivors under half the threshold', () => {
  for (const threshold of [100, 256, 1000, 2200, 1024 * 1024]) {
    const fewest = minRequestsPerRung(threshold);
    assert.ok(fewest >= MIN_REQUESTS_PER_RUNG);
    assert.ok(ONE_TIME_SURVIVOR_BYTES / fewest <= threshold / 2, `threshold ${threshold}`);
  }
  // Enough requests, the same one-time survivors: judged on the figures again.
  const enough = minRequestsPerRung(256);
  const judged = judge({
    ...fiftyRequests,
    rungs: fiftyRequests.rungs.map((rung, i) => ({ ...rung, requests: i * enough })),
    survivingBytesPerRequest: Math.round(66450 / enough),
    requestsPerRung: enough,
  });
  assert.doesNotMatch(judged.reason, /too few requests/);
});
