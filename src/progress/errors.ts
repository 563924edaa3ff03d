/** Why a progress operation failed; the editor maps each code to a message and a next step. */
export type ProgressErrorCode =
  /** Another process held the lock longer than the wait allowed. */
  | 'lock-timeout'
  /** The file was written by a newer Leak Hunt; it is left untouched rather than downgraded. */
  | 'newer-schema'
  /** Reading, writing or renaming in the storage folder failed (permissions, disk full...). */
  | 'io';

/** A progress store failure with a stable `code`; the underlying error is the `cause`. */
export class ProgressError extends Error {
  override name = 'ProgressError';

  constructor(
    readonly code: ProgressErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
