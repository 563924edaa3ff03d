import { parentPort } from 'node:worker_threads';

// Entry of dist/heapWorker.js. The heap engine fills in the request handlers; until then the
// worker answers a liveness check so the extension can prove it starts and stops cleanly.
parentPort?.on('message', (message: { id: number; method: string }) => {
  if (message.method === 'ping') parentPort?.postMessage({ id: message.id, ok: 'pong' });
  else parentPort?.postMessage({ id: message.id, err: `unknown method ${message.method}` });
});
