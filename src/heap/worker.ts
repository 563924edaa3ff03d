import { parentPort } from 'node:worker_threads';
import { HeapEngine } from './engine';
import { toWireError } from './errors';
import type { FromHeapWorker, HeapMethod, ToHeapWorker } from './protocol';

// Entry of dist/heapWorker.js: a thin shell that feeds requests to the in-process engine,
// reports progress and honours cancellation. All logic lives in HeapEngine.
const port = parentPort;
if (port) {
  const engine = new HeapEngine();
  const running = new Map<number, AbortController>();
  const send = (message: FromHeapWorker): void => port.postMessage(message);
  port.on('message', (message: ToHeapWorker) => {
    if ('cancel' in message) {
      running.get(message.cancel)?.abort();
      return;
    }
    const { id, method, params } = message;
    const controller = new AbortController();
    running.set(id, controller);
    let lastProgress = 0;
    engine
      .handle(method as HeapMethod, params as never, {
        signal: controller.signal,
        onProgress: (done, total) => {
          const now = Date.now();
          if (now - lastProgress < 50 && done < total) return;
          lastProgress = now;
          send({ id, progress: { done, total } });
        },
      })
      .then(
        (ok) => send({ id, ok }),
        (error: unknown) => send({ id, err: toWireError(error) }),
      )
      .finally(() => running.delete(id));
  });
}
