import type { WireError } from './protocol';

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

  constructor(message: string, byteOffset: number, section: string, options?: { cause?: unknown }) {
    super(message, options);
    this.byteOffset = byteOffset;
    this.section = section;
  }
}

/** The error a cancelled read or analysis rejects with; DOM-style so callers can check `name`. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const error = new Error('The operation was aborted');
  error.name = 'AbortError';
  return error;
}

/** Serialises an error for the trip out of the worker, keeping HeapSnapshotError's fields. */
export function toWireError(error: unknown): WireError {
  if (error instanceof HeapSnapshotError)
    return {
      name: error.name,
      message: error.message,
      byteOffset: error.byteOffset,
      section: error.section,
    };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}
