/**
 * Cancellation, DOM-style: what a cancelled operation rejects with. `AbortSignal.abort()` without
 * a reason rejects with a DOMException named `AbortError`; Leak Hunt's own code throws this
 * class, which carries the same name, so {@link isAbortError} recognises both.
 */
export class AbortError extends Error {
  override name = 'AbortError';

  constructor(message = 'The operation was aborted', options?: ErrorOptions) {
    super(message, options);
  }
}

/** The error a cancelled operation rejects with: the signal's own reason if it is an Error. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new AbortError();
}

/**
 * True for a cancellation: our {@link AbortError} or the platform's (a DOMException or Node's
 * `AbortError`, whose type is only told by its standard `name`).
 */
export function isAbortError(error: unknown): boolean {
  return error instanceof AbortError || (error instanceof Error && error.name === 'AbortError');
}
