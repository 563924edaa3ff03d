import { formatBytes } from '../common/format';
import type { HuntReport, Rung, Verdict } from './types';

type MeasuredRung = Pick<Rung, 'requests' | 'usedHeap' | 'arrayBuffers'>;

/**
 * What a service keeps after GC: its V8 heap plus its ArrayBuffer backing stores, which live
 * outside that heap. A service keeping Buffers grows the second while the first barely moves
 * (a 64 KiB buffer sits behind a wrapper of about 100 bytes), so the heap alone would call that
 * leak inconclusive however much memory it takes.
 */
export function retainedMemory(reading: Pick<Rung, 'usedHeap' | 'arrayBuffers'>): number {
  return reading.usedHeap + (reading.arrayBuffers ?? 0);
}

/** Least-squares slope of retained memory over requests: bytes kept per request. */
export function bytesPerRequest(rungs: MeasuredRung[]): number {
  const n = rungs.length;
  if (n < 2) return 0;
  const meanX = rungs.reduce((sum, step) => sum + step.requests, 0) / n;
  const meanY = rungs.reduce((sum, step) => sum + retainedMemory(step), 0) / n;
  let numerator = 0;
  let denominator = 0;
  for (const step of rungs) {
    numerator += (step.requests - meanX) * (retainedMemory(step) - meanY);
    denominator += (step.requests - meanX) ** 2;
  }
  return denominator === 0 ? 0 : numerator / denominator;
}

/** What the verdict is decided on. */
export interface VerdictInput {
  rungs: MeasuredRung[];
  thresholdBytesPerRequest: number;
  /** The program's bytes allocated during one load and alive after the next, per request. */
  survivingBytesPerRequest: number;
  /** V8's own surviving bytes per request (compiled code, shapes), discounted. */
  v8SurvivingBytesPerRequest: number;
  requestsPerRung: number;
}

export type Judgement = Pick<HuntReport, 'verdict' | 'reason' | 'advice' | 'monotonic'> & {
  growthPerRung: number[];
  lateBytesPerRequest: number;
};

/** Fewest loads after the warm-up for a `leak` verdict: growth must hold across three rungs. */
export const MIN_RUNGS = 3;

/**
 * The program's own bytes a healthy server can leave alive once during a load (a 64 KiB buffer,
 * a table built on first use), with no leak at all: the most measured, 66,450 B in 66 runs of
 * four allocation-free servers, rounded up to 72 KiB (docs/hunt.md, "Fewest requests for a
 * verdict"). Spread over too few requests, it reads as a leak.
 */
export const ONE_TIME_SURVIVOR_BYTES = 72 * 1024;

/**
 * Fewest requests per load for any verdict: below it, one-time heap growth (a new code page, a
 * lazily built table) divided by a handful of requests swamps the figures; from 100 up, every
 * run of those servers without a one-time survivor was `no-leak` (docs/hunt.md).
 */
export const MIN_REQUESTS_PER_RUNG = 100;

/**
 * Fewest requests per load for a verdict against `thresholdBytesPerRequest`: enough that one-time
 * survivors spread over them stay under half the threshold, the line a `no-leak` must stay under.
 */
export function minRequestsPerRung(thresholdBytesPerRequest: number): number {
  return Math.max(
    MIN_REQUESTS_PER_RUNG,
    Math.ceil((2 * ONE_TIME_SURVIVOR_BYTES) / thresholdBytesPerRequest),
  );
}

/**
 * The verdict from what survives. `leak` needs three things at once: the program's own objects
 * allocated during a load and still alive after the next come to at least the threshold per
 * request; the heap after GC grew at every rung; and it still grows past the first load (so a
 * one-time warm-up is not a leak). `no-leak` needs the survivors clearly under the threshold (under
 * half of it) and no steady growth they leave unexplained (a one-time jump is not steady). Anything
 * between is `inconclusive`, with the run that would settle it: a guide that is confidently wrong
 * is worse than one that says "run longer".
 */
export function judge(input: VerdictInput): Judgement {
  const { rungs, requestsPerRung } = input;
  const threshold = input.thresholdBytesPerRequest;
  const surviving = input.survivingBytesPerRequest;
  const growthPerRung = rungs
    .slice(1)
    .map((rung, i) =>
      Math.round((retainedMemory(rung) - retainedMemory(rungs[i]!)) / requestsPerRung),
    );
  const monotonic = growthPerRung.every((growth) => growth > 0);
  const late = bytesPerRequest(rungs.slice(1));
  // What the heap grew by at every rung past the first load: a one-time jump does not count.
  const steady = Math.min(...growthPerRung.slice(1));
  // Steady growth the survivors do not account for and V8's own growth does not explain either.
  const unexplained = steady - surviving - input.v8SurvivingBytesPerRequest;
  const withBuffers = rungs.some((rung) => rung.arrayBuffers) ? ' (with its buffers)' : '';
  const figures =
    `${formatBytes(surviving)} per request of what one load allocated survived the next ` +
    `(threshold ${formatBytes(threshold)}); the heap after GC${withBuffers} grew ` +
    `${growthPerRung.map((g) => formatBytes(g)).join(', ')} per request at each rung`;
  const fewest = minRequestsPerRung(threshold);
  const longer = Math.max(requestsPerRung * 2, fewest);
  const judged = (verdict: Verdict, why: string): Judgement => ({
    verdict,
    reason: `${why}: ${figures}.`,
    monotonic,
    growthPerRung,
    lateBytesPerRequest: Math.round(late),
    ...(verdict === 'inconclusive'
      ? {
          advice: {
            requestsPerRung: longer,
            text: `Run longer for a firmer answer: ${longer} requests per load (--count ${longer}).`,
          },
        }
      : {}),
  });

  if (requestsPerRung < fewest)
    return judged(
      'inconclusive',
      `too few requests per load for a verdict (${requestsPerRung}; at least ${fewest} ` +
        `with a threshold of ${formatBytes(threshold)} per request, so that what a healthy ` +
        `server keeps once does not read as a leak)`,
    );
  if (rungs.length < MIN_RUNGS + 1)
    return judged('inconclusive', `too few rungs (${rungs.length - 1} loads; ${MIN_RUNGS} needed)`);
  if (surviving >= threshold) {
    if (monotonic && late >= threshold / 2)
      return judged('leak', 'what each load allocates stays alive and the heap keeps growing');
    return judged(
      'inconclusive',
      monotonic
        ? 'objects survive, but the heap grows less than they suggest (a bounded cache filling up?)'
        : 'objects survive, but the heap did not grow at every rung',
    );
  }
  if (surviving < threshold / 2) {
    if (steady < threshold) return judged('no-leak', 'what the loads allocate does not stay alive');
    if (unexplained < threshold / 2)
      return judged(
        'no-leak',
        "what grows is V8's own (compiled code, shapes), not the program's objects",
      );
    return judged(
      'inconclusive',
      `the heap grows ${formatBytes(steady)} per request at every rung, more than the survivors explain`,
    );
  }
  return judged('inconclusive', 'surviving bytes are close to the threshold');
}
