// Preloaded by groundtruth.mjs into a case's server (run with --expose-gc): on 'measure' over
// the IPC channel, collect garbage fully and send back the used heap.
process.on('message', (message) => {
  if (message !== 'measure') return;
  for (let i = 0; i < 4; i++) globalThis.gc();
  setImmediate(() => {
    globalThis.gc();
    process.send(process.memoryUsage().heapUsed);
  });
});
