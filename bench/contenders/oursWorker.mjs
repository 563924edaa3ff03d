// Leak Hunt's engine the way the extension runs it: in dist/heapWorker.js (a worker_threads
// worker) behind its request/response protocol — open the file, then ask for the summary.
// This is the "a ~1.5 GiB snapshot works in a worker without crashing" row.
import { Worker } from 'node:worker_threads';

const [mode, file, workerScript] = process.argv.slice(2);
if (mode !== 'summary') throw new Error(`the worker row only runs summary, not ${mode}`);

const worker = new Worker(workerScript);
let nextId = 1;
function call(method, params) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const onMessage = (message) => {
      if (message.id !== id || 'progress' in message) return;
      worker.off('message', onMessage);
      if ('err' in message) reject(new Error(`${message.err.name}: ${message.err.message}`));
      else resolve(message.ok);
    };
    worker.on('message', onMessage);
    worker.postMessage({ id, method, params });
  });
}
worker.on('error', (error) => {
  console.error(`heap worker crashed: ${error.message}`);
  process.exit(3);
});

const info = await call('open', { file });
const summary = await call('summary', { handle: info.handle, top: 20 });
console.log(JSON.stringify({ nodeCount: summary.nodeCount, classes: summary.classes.length }));
await worker.terminate();
