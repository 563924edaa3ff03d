import { AbortError } from '../common/abort';
import type { WireError } from './protocol';

/** What is wrong with a snapshot file, in terms of what the user can do about it. */
export type HeapSnapshotProblem =
  /** The file cannot be opened or read (gone, no permission, I/O error). */
  | 'unreadable'
  /** The file ends too early: empty, or cut off while being written. */
  | 'incomplete'
  /** The file is not a heap snapshot at all (no snapshot header, wrong format). */
  | 'not-a-snapshot'
  /** A snapshot whose contents are inconsistent or damaged. */
  | 'malformed';

/**
 * A `.heapsnapshot` file that cannot be read: empty, truncated, wrong meta, inconsistent counts,
 * edges out of range, invalid UTF-8, not a snapshot at all. `byteOffset` and `section` say
 * where, so a learner (or the fuzz test) can see exactly what is wrong.
 */
export class HeapSnapshotError extends Error {
  override name = 'HeapSnapshotError';
  /** Byte offset in the file where the problem was found. */
  readonly byteOffset: number;
  /** Section of the snapshot being read: `snapshot`, `nodes`, `edges`, `strings`, ... or `file`. */
  readonly section: string;
  readonly problem: HeapSnapshotProblem;

  constructor(
    message: string,
    byteOffset: number,
    section: string,
    options?: { cause?: unknown; problem?: HeapSnapshotProblem },
  ) {
    super(message, options);
    this.byteOffset = byteOffset;
    this.section = section;
    this.problem = options?.problem ?? 'malformed';
  }
}

/**
 * A query named a snapshot handle the heap engine no longer has open (closed or evicted): the
 * snapshot cannot be read through it, but opening the file again gives a new handle.
 */
export class SnapshotNotOpenError extends HeapSnapshotError {
  override name = 'SnapshotNotOpenError';

  constructor(readonly handle: number) {
    super(`snapshot handle ${handle} is not open (closed or evicted)`, 0, 'handle', {
      problem: 'unreadable',
    });
  }
}

/** The heap worker thread ended (crashed, ran out of memory) while calls were pending. */
export class HeapWorkerExitedError extends Error {
  override name = 'HeapWorkerExitedError';

  constructor(readonly exitCode: number) {
    super(`heap worker exited with code ${exitCode}`);
  }
}

/** A call on a heap worker client that was disposed. */
export class HeapWorkerDisposedError extends Error {
  override name = 'HeapWorkerDisposedError';

  constructor() {
    super('the heap worker is disposed');
  }
}

/** Serialises an error for the trip out of the worker, keeping HeapSnapshotError's fields. */
export function toWireError(error: unknown): WireError {
  if (error instanceof SnapshotNotOpenError)
    return { name: error.name, message: error.message, handle: error.handle };
  if (error instanceof HeapSnapshotError)
    return {
      name: error.name,
      message: error.message,
      byteOffset: error.byteOffset,
      section: error.section,
      problem: error.problem,
    };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** Rebuilds the typed error on the client side of the worker, so callers can `instanceof` it. */
export function fromWireError(wire: WireError): Error {
  if (wire.name === 'HeapSnapshotError')
    return new HeapSnapshotError(wire.message, wire.byteOffset ?? 0, wire.section ?? 'file', {
      problem: wire.problem,
    });
  if (wire.name === 'SnapshotNotOpenError' && wire.handle !== undefined)
    return new SnapshotNotOpenError(wire.handle);
  if (wire.name === 'AbortError') return new AbortError(wire.message);
  const error = new Error(wire.message);
  error.name = wire.name;
  return error;
}
