import type { HuntEvent, HuntRig } from './types';

/** How a rig ends once its work is over: what to say, and what to stop or close. */
export interface RigEnd {
  /** The rig's controller (from `signalUntilExit`): aborted first, so the work stops fast. */
  controller: AbortController;
  /** The reason the work sees if it is still running when the rig ends. */
  reason: string;
  stopEvent: HuntEvent;
  /** Stops the rig's own processes, before the work's clean-up (which then fails fast). */
  stop?(): Promise<void>;
  /**
   * Closes what must outlive the work's clean-up: the session to a process that is not ours, so
   * that the pipeline can still end allocation tracking in a process that keeps running.
   */
  close?(): Promise<void>;
}

/**
 * Runs `work` on `rig` and always ends the rig afterwards, also on error or abort: the common
 * tail of every rig that starts or attaches to something (`withCommandRig`, `withAttachedRig`).
 */
export async function runThenEnd<T>(
  rig: HuntRig,
  work: (rig: HuntRig) => Promise<T>,
  end: RigEnd,
  onEvent: ((event: HuntEvent) => void) | undefined,
): Promise<T> {
  const running = work(rig);
  try {
    return await rig.guard(running);
  } finally {
    onEvent?.(end.stopEvent);
    end.controller.abort(new Error(end.reason));
    await end.stop?.();
    // Let the work finish its own clean-up (e.g. removing a partial snapshot) before returning;
    // with the sessions gone it fails fast, and the cap keeps a stuck step from hanging us.
    let cap: NodeJS.Timeout | undefined;
    await Promise.race([
      running.catch(() => undefined),
      new Promise((done) => (cap = setTimeout(done, 5000))),
    ]);
    clearTimeout(cap);
    await end.close?.();
  }
}
