import { withServices } from './run';
import type { CheckRunOptions, LadderStep, LeakCheckResult } from './types';

/** Least-squares slope of used heap over requests: bytes retained per request. */
export function bytesPerRequest(ladder: LadderStep[]): number {
  const n = ladder.length;
  if (n < 2) return 0;
  const meanX = ladder.reduce((sum, step) => sum + step.requests, 0) / n;
  const meanY = ladder.reduce((sum, step) => sum + step.usedHeap, 0) / n;
  let numerator = 0;
  let denominator = 0;
  for (const step of ladder) {
    numerator += (step.requests - meanX) * (step.usedHeap - meanY);
    denominator += (step.requests - meanX) ** 2;
  }
  return denominator === 0 ? 0 : numerator / denominator;
}

/**
 * The verdict on a ladder: a leak when the fitted slope is above the threshold AND every rung is
 * above the previous one. Both are needed: one noisy rung must not make a leak, and a service
 * that grew once (a cache filling up) and then stayed flat must not either.
 */
export function judgeLadder(
  ladder: LadderStep[],
  thresholdBytesPerRequest: number,
): Pick<LeakCheckResult, 'verdict' | 'bytesPerRequest' | 'monotonic'> {
  const slope = bytesPerRequest(ladder);
  const monotonic = ladder.every((step, i) => i === 0 || step.usedHeap > ladder[i - 1]!.usedHeap);
  return {
    verdict: slope > thresholdBytesPerRequest && monotonic ? 'leak' : 'no-leak',
    bytesPerRequest: Math.round(slope),
    monotonic,
  };
}

/**
 * The deterministic leak check behind `leakhunt check` and exercise validation: start the
 * services, send the warm-up, then measure the checked service's heap after forced GC at 0, N,
 * 2N and 4N requests and judge the ladder against the manifest's threshold.
 */
export async function runLeakCheck(options: CheckRunOptions): Promise<LeakCheckResult> {
  const { manifest } = options;
  const check = manifest.check;
  const requests = check.requests ?? manifest.load.requests;
  return withServices(options, async (run) => {
    const session = run.group.service(check.service).session;
    run.progress(`warming up with ${check.warmup} requests`);
    await run.load(requests, check.warmup, 0);
    const ladder: LadderStep[] = [{ requests: 0, usedHeap: await run.heapAfterGc(session) }];
    let sent = 0;
    for (const target of [check.step, check.step * 2, check.step * 4]) {
      run.progress(`sending requests ${sent + 1}–${target}`);
      await run.load(requests, target - sent, check.warmup + sent);
      sent = target;
      const usedHeap = await run.heapAfterGc(session);
      ladder.push({ requests: target, usedHeap });
      run.progress(`${check.service}: ${formatBytes(usedHeap)} used after ${target} requests`);
    }
    return {
      service: check.service,
      ladder,
      thresholdBytesPerRequest: check.thresholdBytesPerRequest,
      ...judgeLadder(ladder, check.thresholdBytesPerRequest),
    };
  });
}

/** `1.5 MB`, `820 KB`, `96 B`: sizes as people read them. */
export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (abs >= 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${Math.round(bytes)} B`;
}
