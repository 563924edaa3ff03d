import { basename, isAbsolute } from 'node:path';
import type { BusyReport, StackFrame } from '../inspector/types';

/**
 * How long each step of a hunt may take before it is called stuck. Generous: they exist so that a
 * service that stops answering ends the hunt with a clear error instead of hanging it, not to
 * judge speed. docs/hunt.md ("Timeouts and watchdog") says where each value comes from.
 */
export interface HuntTimeouts {
  /** A request without a complete response for this long: the service stopped answering. */
  requestMs: number;
  /** How long the inspector gets to pause a stuck service and read where it is. */
  pauseMs: number;
  /** A load may take this long, plus `loadPerRequestMs` per request. */
  loadBaseMs: number;
  loadPerRequestMs: number;
  /** Forced garbage collection and a heap reading of one service. */
  measureMs: number;
  /** A snapshot with no progress from V8 (no progress report, no chunk) for this long. */
  snapshotStallMs: number;
}

export const DEFAULT_HUNT_TIMEOUTS: HuntTimeouts = {
  requestMs: 15_000,
  pauseMs: 2_000,
  loadBaseMs: 120_000,
  loadPerRequestMs: 50,
  measureMs: 60_000,
  snapshotStallMs: 60_000,
};

/**
 * How long a failed step, or a dropped inspector, waits for a service's exit to explain it: the
 * socket drops before the exit is reported, and an out-of-memory death takes a moment.
 */
export const EXIT_STORY_MS = 2000;

/** A step of the hunt (a load, a measurement, a snapshot) did not finish in its time. */
export class HuntTimeoutError extends Error {
  override name = 'HuntTimeoutError';
  constructor(
    readonly step: 'load' | 'measure' | 'snapshot',
    readonly service: string | undefined,
    readonly timeoutMs: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * A service stopped answering requests: no complete response within the per-request timeout.
 * `busy` is what the inspector found it doing; `busyIn` the stack it was running, when it was
 * running JavaScript.
 */
export class ServiceUnresponsiveError extends Error {
  override name = 'ServiceUnresponsiveError';
  readonly busyIn: StackFrame[] | undefined;
  constructor(
    readonly service: string,
    /** Requests the service had answered in this hunt (warm-up included) before it stopped. */
    readonly answered: number,
    /** The request left without an answer, e.g. `GET /spin`. */
    readonly request: string,
    readonly timeoutMs: number,
    /** Undefined when the hunt has no inspector session for this service. */
    readonly busy: BusyReport | undefined,
    /** How long the inspector was given to pause it. */
    pauseMs: number,
    options?: ErrorOptions,
  ) {
    super(
      `service '${service}' stopped answering after ${answered} requests: no response to ` +
        `${request} within ${seconds(timeoutMs)}${doing(busy, pauseMs)}`,
      options,
    );
    this.busyIn = busy?.state === 'busy' ? busy.frames : undefined;
  }
}

function doing(busy: BusyReport | undefined, pauseMs: number): string {
  switch (busy?.state) {
    case 'busy':
      return `; it is busy in ${describeStack(busy.frames)}`;
    case 'idle':
      return (
        '; it is idle, running no JavaScript: the request waits for something that never ' +
        'comes (a response never ended, a callback or a promise never settled)'
      );
    case 'blocked':
      return (
        `; not even its inspector answered within ${seconds(pauseMs)}, so it is blocked ` +
        `outside JavaScript (a synchronous call such as spawnSync, a native addon)`
      );
    default:
      return '';
  }
}

/** The first `depth` frames: `busy (server.js:14) ← (anonymous) (server.js:20) ← …`. */
export function describeStack(stack: StackFrame[], depth = 3): string {
  const shown = stack.slice(0, depth).map((frame) => {
    const file = isAbsolute(frame.file) ? basename(frame.file) : frame.file;
    const where = file ? ` (${file}:${frame.line})` : '';
    return `${frame.functionName || '(anonymous)'}${where}`;
  });
  return shown.join(' ← ') + (stack.length > depth ? ' ← …' : '');
}

/**
 * Settles like `work`, or rejects with `timeout()` after `ms`. The work is not stopped: the rig's
 * end (runThenEnd) aborts whatever is left of it.
 */
export function within<T>(work: Promise<T>, ms: number, timeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeout()), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

export function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
