import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { isLoopbackHost } from '../common/loopback';
import type { LoadRequest } from '../exercises/manifest';

/** What one load run does: the request mix, where each service lives, and how hard to push. */
export interface LoadOptions {
  /** Base URL per service name, e.g. `{ cart: 'http://127.0.0.1:41234' }`. Loopback only. */
  targets: Record<string, string>;
  requests: LoadRequest[];
  /** Requests started per second; unlimited when absent. */
  rate?: number;
  /** Requests in flight at once; default 8. */
  concurrency?: number;
  /** Total requests; default 2000 unless `durationSeconds` is given. */
  count?: number;
  durationSeconds?: number;
  /** Seed for `{rand}`, so a run can be repeated exactly; default 1. */
  seed?: number;
  /** Added to `{n}`, so consecutive runs against one service keep producing fresh ids. */
  firstSequence?: number;
  /**
   * A request without a complete response after this long ends the run with a
   * `LoadStalledError`: the service has stopped answering. Default 15 s; Infinity waits forever.
   */
  requestTimeoutMs?: number;
}

/** Default per-request timeout: far above any latency of a service that still answers. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

/** Statistics of one load run; latencies are measured from request start to the last body byte. */
export interface LoadStats {
  sent: number;
  /** 2xx responses. */
  ok: number;
  non2xx: number;
  /** Requests that got no response (connection refused or reset, socket errors). */
  errors: number;
  p50Ms: number;
  p95Ms: number;
  durationMs: number;
  requestsPerSecond: number;
}

/** Cancellation and progress of one load run. */
export interface LoadControl {
  signal?: AbortSignal;
  /** Called at most every `progressIntervalMs` (default 250) while the run is going. */
  onProgress?: (stats: LoadStats) => void;
  progressIntervalMs?: number;
}

/** A load target outside the loopback interface: refused before any request is sent. */
export class NonLoopbackTargetError extends Error {
  override name = 'NonLoopbackTargetError';
  constructor(
    readonly url: string,
    options?: ErrorOptions,
  ) {
    super(
      `refusing to send load to ${url}: Leak Hunt only drives services on this machine ` +
        `(127.0.0.0/8, ::1 or localhost)`,
      options,
    );
  }
}

/**
 * A request got no complete response within the per-request timeout: the service it went to has
 * stopped answering (spinning, deadlocked, blocked). The run stops at once.
 */
export class LoadStalledError extends Error {
  override name = 'LoadStalledError';
  constructor(
    /** The service the unanswered request went to. */
    readonly service: string,
    /** Method and path, e.g. `GET /spin`. */
    readonly request: string,
    readonly timeoutMs: number,
    /** Responses received in this run before it stopped (2xx or not). */
    readonly answered: number,
    options?: ErrorOptions,
  ) {
    super(
      `service '${service}' did not answer ${request} within ${timeoutMs} ms ` +
        `(${answered} requests answered before)`,
      options,
    );
  }
}

/** The load profile itself is unusable (unknown service, no requests, bad numbers). */
export class LoadProfileError extends Error {
  override name = 'LoadProfileError';
}

/** Checks a base URL and returns it parsed; throws `NonLoopbackTargetError` for anything else. */
export function assertLoopbackUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new NonLoopbackTargetError(url, { cause: error });
  }
  if (parsed.protocol !== 'http:' || !isLoopbackHost(parsed.hostname))
    throw new NonLoopbackTargetError(url);
  return parsed;
}

/** Expands `{n}` to the sequence number and `{rand}` to a pseudo-random integer. */
export function expandPath(template: string, n: number, random: () => number): string {
  return template
    .replace(/\{n\}/g, String(n))
    .replace(/\{rand\}/g, () => String(Math.floor(random() * 1_000_000_000)));
}

/** Small seeded PRNG (mulberry32): `{rand}` values repeat between runs with the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Smooth weighted round-robin: returns a picker whose sequence honours the weights exactly over
 * every cycle, so the same profile always sends the same mix (a leak check must be repeatable).
 */
export function weightedPicker<T extends { weight?: number }>(items: T[]): () => T {
  const weights = items.map((item) => item.weight ?? 1);
  if (items.length === 0 || weights.some((w) => !(w >= 0)) || weights.every((w) => w === 0))
    throw new LoadProfileError('the load profile needs at least one request with a weight above 0');
  const total = weights.reduce((a, b) => a + b, 0);
  const current = weights.map(() => 0);
  return () => {
    let best = 0;
    for (let i = 0; i < items.length; i++) {
      current[i]! += weights[i]!;
      if (current[i]! > current[best]!) best = i;
    }
    current[best]! -= total;
    return items[best]!;
  };
}

interface PreparedRequest {
  request: LoadRequest;
  base: URL;
  body?: Buffer;
  headers: Record<string, string | number>;
}

function prepare(options: LoadOptions): PreparedRequest[] {
  if (options.requests.length === 0) throw new LoadProfileError('the load profile has no requests');
  return options.requests.map((request) => {
    const baseUrl = options.targets[request.service];
    if (!baseUrl)
      throw new LoadProfileError(
        `the load profile targets service '${request.service}', which is not running ` +
          `(known: ${Object.keys(options.targets).join(', ') || 'none'})`,
      );
    const base = assertLoopbackUrl(baseUrl);
    const headers: Record<string, string | number> = { ...request.headers };
    let body: Buffer | undefined;
    if (request.body !== undefined) {
      body = Buffer.from(JSON.stringify(request.body));
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = body.length;
    }
    return { request, base, body, headers };
  });
}

/**
 * Latency histogram with buckets 1% wide from 10 µs to about 10 minutes (longer ones share the
 * last): constant memory and O(1) recording, so long duration runs (the editor's) can report
 * p50/p95 every tick without keeping or sorting every latency.
 */
export class LatencyHistogram {
  private static readonly floorMs = 0.01;
  private static readonly growth = Math.log(1.01);
  private readonly counts = new Uint32Array(1800);
  private total = 0;

  record(ms: number): void {
    const index = Math.floor(
      Math.log(Math.max(ms, LatencyHistogram.floorMs) / LatencyHistogram.floorMs) /
        LatencyHistogram.growth,
    );
    this.counts[Math.min(index, this.counts.length - 1)]!++;
    this.total++;
  }

  /** The latency below which `p` percent of the recorded ones fall (bucket upper bound, ±1%). */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) {
        const ms = LatencyHistogram.floorMs * Math.exp((i + 1) * LatencyHistogram.growth);
        return Math.round(ms * 100) / 100;
      }
    }
    return Number.POSITIVE_INFINITY;
  }
}

/**
 * Sends HTTP load from a profile to loopback services and returns statistics. Every target is
 * checked before the first request; keep-alive sockets are reused and closed at the end.
 * Aborting the signal stops the run, drops in-flight requests and rejects with the abort reason;
 * a request left unanswered for `requestTimeoutMs` does the same with a `LoadStalledError`.
 */
export async function runLoad(options: LoadOptions, control: LoadControl = {}): Promise<LoadStats> {
  const prepared = prepare(options);
  const { signal, onProgress } = control;
  signal?.throwIfAborted();
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 8));
  const count =
    options.count ?? (options.durationSeconds === undefined ? 2000 : Number.POSITIVE_INFINITY);
  if (!(count >= 0)) throw new LoadProfileError(`bad request count ${String(options.count)}`);
  if (options.rate !== undefined && !(options.rate > 0))
    throw new LoadProfileError(`bad rate ${options.rate}: requests per second must be above 0`);
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (!(requestTimeoutMs > 0))
    throw new LoadProfileError(`bad request timeout ${requestTimeoutMs} ms: it must be above 0`);
  const pick = weightedPicker(prepared.map((item) => ({ item, weight: item.request.weight })));
  const random = seededRandom(options.seed ?? 1);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = new LatencyHistogram();
  const stats = { sent: 0, ok: 0, non2xx: 0, errors: 0 };
  const start = performance.now();
  const deadline =
    options.durationSeconds === undefined
      ? Number.POSITIVE_INFINITY
      : start + options.durationSeconds * 1000;
  const inFlight = new Set<http.ClientRequest>();
  /** Set by the first request that times out; every worker stops and the run rejects with it. */
  let stalled: LoadStalledError | undefined;
  let next = 0;
  let lastProgress = start;
  const progressEvery = control.progressIntervalMs ?? 250;

  const snapshot = (): LoadStats => {
    const durationMs = performance.now() - start;
    return {
      ...stats,
      p50Ms: latencies.percentile(50),
      p95Ms: latencies.percentile(95),
      durationMs: Math.round(durationMs),
      requestsPerSecond: durationMs > 0 ? Math.round((stats.sent / durationMs) * 1000) : 0,
    };
  };

  const sendOne = (item: PreparedRequest, n: number): Promise<void> =>
    new Promise((resolve) => {
      const began = performance.now();
      const path = expandPath(item.request.path, n, random);
      // From start to the last body byte, so a response that trickles in counts as stuck too.
      const timer = Number.isFinite(requestTimeoutMs)
        ? setTimeout(() => {
            stalled ??= new LoadStalledError(
              item.request.service,
              `${item.request.method} ${path}`,
              requestTimeoutMs,
              stats.ok + stats.non2xx,
            );
            for (const pending of inFlight) pending.destroy();
          }, requestTimeoutMs)
        : undefined;
      let settled = false;
      /** Counts the request once: answered with `status`, or failed (undefined). */
      const settle = (status: number | undefined): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        inFlight.delete(req);
        if (status === undefined) stats.errors++;
        else {
          latencies.record(performance.now() - began);
          if (status >= 200 && status < 300) stats.ok++;
          else stats.non2xx++;
        }
        resolve();
      };
      const req = http.request(
        {
          host: item.base.hostname.replace(/^\[|\]$/g, ''),
          port: item.base.port || 80,
          method: item.request.method,
          path: path.startsWith('/') ? path : `/${path}`,
          headers: item.headers,
          agent,
        },
        (res) => {
          res.on('end', () => settle(res.statusCode ?? 0));
          // Closed before its end (reset, or destroyed by a timeout or an abort): no answer.
          res.on('close', () => settle(undefined));
          res.on('error', () => undefined);
          res.resume();
        },
      );
      inFlight.add(req);
      req.on('error', () => settle(undefined));
      stats.sent++;
      req.end(item.body);
    });

  const waitUntil = (at: number): Promise<void> =>
    new Promise((resolve) => {
      const delay = at - performance.now();
      if (delay <= 0) return resolve();
      const timer = setTimeout(done, delay);
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });

  const worker = async (): Promise<void> => {
    while (!signal?.aborted && !stalled) {
      if (next >= count || performance.now() >= deadline) return;
      const index = next++;
      if (options.rate !== undefined) {
        await waitUntil(start + (index * 1000) / options.rate);
        if (signal?.aborted || performance.now() >= deadline) return;
      }
      await sendOne(pick().item, index + (options.firstSequence ?? 0));
      if (onProgress && performance.now() - lastProgress >= progressEvery) {
        lastProgress = performance.now();
        onProgress(snapshot());
      }
    }
  };

  const onAbort = (): void => {
    for (const req of inFlight) req.destroy();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    signal?.removeEventListener('abort', onAbort);
    agent.destroy();
  }
  signal?.throwIfAborted();
  if (stalled) throw stalled;
  const result = snapshot();
  onProgress?.(result);
  return result;
}
