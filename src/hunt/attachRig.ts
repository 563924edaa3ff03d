import { InspectorError } from '../inspector/errors';
import { signalUntilExit } from '../inspector/launch';
import { attach } from '../inspector/session';
import { assertLoopbackUrl } from '../load';
import { guardWith, loaderFor } from './rigs';
import { runThenEnd } from './rigEnd';
import type { HuntEvent, HuntRig } from './types';

/** What `withAttachedRig` attaches to. */
export interface AttachedRigOptions {
  /** The running process's inspector: its port on 127.0.0.1, or its `ws://` / `http://` URL. */
  inspector: { port: number } | { url: string };
  /** Where the process serves, e.g. `http://127.0.0.1:3000`; loopback only. */
  url: string;
  /** The service's name in the report and in snapshot names; default `app`. */
  name?: string;
  concurrency?: number;
  signal?: AbortSignal;
  onEvent?: (event: HuntEvent) => void;
}

function describeInspector(inspector: AttachedRigOptions['inspector']): string {
  return 'url' in inspector ? inspector.url : `127.0.0.1:${inspector.port}`;
}

/**
 * Attaches to a Node process already running with `--inspect` (loopback only), runs `work` on a
 * rig bound to it and closes the session afterwards. The process is not ours: it is never
 * stopped, and if it ends (its inspector closes) the work stops with an `InspectorError`.
 * Load goes to `url`, which must be on loopback (`NonLoopbackTargetError` otherwise).
 */
export async function withAttachedRig<T>(
  options: AttachedRigOptions,
  work: (rig: HuntRig) => Promise<T>,
): Promise<T> {
  const name = options.name ?? 'app';
  const url = assertLoopbackUrl(options.url).origin;
  options.signal?.throwIfAborted();
  const where = describeInspector(options.inspector);
  options.onEvent?.({ phase: 'start', message: `attaching to the inspector at ${where}` });
  const attaching = attach(options.inspector);
  const session = await guardWith(options.signal ?? new AbortController().signal)(attaching).catch(
    (error: unknown) => {
      // Aborted while connecting: a session that connects later is closed at once.
      void attaching.then(
        (late) => late.close(),
        () => undefined,
      );
      throw error;
    },
  );
  const controller = signalUntilExit([], options.signal);
  void session.disconnected.then(() => {
    if (!controller.signal.aborted)
      controller.abort(
        new InspectorError(`the inspector at ${where} closed: did the process end?`),
      );
  });
  options.onEvent?.({
    phase: 'start',
    message: `  attached to pid ${session.pid ?? '?'}; load goes to ${url}`,
  });
  const guard = guardWith(controller.signal);
  const rig: HuntRig = {
    services: [{ name, session }],
    signal: controller.signal,
    guard,
    load: loaderFor({ [name]: url }, options.concurrency, controller.signal, guard),
  };
  return runThenEnd(
    rig,
    work,
    {
      controller,
      reason: 'Leak Hunt detached',
      stopEvent: {
        phase: 'stop',
        message: `detaching from pid ${session.pid ?? '?'} (it keeps running)`,
      },
      close: () => session.close(),
    },
    options.onEvent,
  );
}
