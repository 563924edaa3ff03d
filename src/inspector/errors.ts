import type { ExitInfo } from './types';

/** A service could not be started: missing entry, early exit, no inspector URL, never ready. */
export class ServiceStartError extends Error {
  override name = 'ServiceStartError';
  constructor(
    readonly service: string,
    message: string,
    /** The service's stderr so far, so the user sees why it failed. */
    readonly stderrTail = '',
    options?: ErrorOptions,
  ) {
    super(
      `service '${service}': ${message}${stderrTail ? `\n--- stderr ---\n${stderrTail}` : ''}`,
      options,
    );
  }
}

/** A running service ended while Leak Hunt was still using it (crash, exit or out of memory). */
export class ServiceExitedError extends Error {
  override name = 'ServiceExitedError';
  constructor(
    readonly service: string,
    readonly exit: ExitInfo,
    options?: ErrorOptions,
  ) {
    super(`service '${service}' ${describeExit(exit)}${tail(exit.stderrTail)}`, options);
  }
}

/** The CDP connection failed or dropped. */
export class InspectorError extends Error {
  override name = 'InspectorError';
}

/** A heap snapshot could not be completed; its partial file has been removed. */
export class SnapshotError extends Error {
  override name = 'SnapshotError';
  constructor(
    readonly file: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** "ran out of memory (JavaScript heap out of memory)", "exited with code 1", "was killed by SIGKILL". */
export function describeExit(exit: ExitInfo): string {
  if (exit.outOfMemory) return 'ran out of memory (JavaScript heap out of memory)';
  if (exit.signal) return `was killed by ${exit.signal}`;
  return `exited with code ${String(exit.code)}`;
}

function tail(stderrTail: string): string {
  return stderrTail ? `\n--- stderr ---\n${stderrTail}` : '';
}
