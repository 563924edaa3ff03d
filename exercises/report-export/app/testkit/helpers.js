// Small helpers shared by the tests: start services in this process on free loopback ports,
// send requests, and measure how much the heap keeps per request.
import http from 'node:http';

/** Starts a server on a free loopback port and resolves to its base URL. */
function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`));
  });
}

function close(server) {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

/** Sends one request and resolves to `{ status, body }` with the body parsed when it is JSON. */
function request(url, { method = 'GET', body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      url,
      { method, agent, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Runs `send(i)` for i in [0, count) with a few requests in flight at a time. */
async function drive(count, send, concurrency = 8) {
  let next = 0;
  const workers = Array.from({ length: concurrency }, async () => {
    while (next < count) await send(next++);
  });
  await Promise.all(workers);
}

function settledHeap() {
  if (typeof globalThis.gc !== 'function') throw new Error('run the tests with node --expose-gc');
  for (let i = 0; i < 4; i++) globalThis.gc();
  return process.memoryUsage().heapUsed;
}

/**
 * Heap kept per request: warm up, collect garbage, send `count` more requests, collect again.
 * Counted in requests, not time, so the figure does not depend on the machine's speed.
 */
async function bytesKeptPerRequest({ warmup, count, send }) {
  await drive(warmup, send);
  const before = settledHeap();
  await drive(count, (i) => send(warmup + i));
  const after = settledHeap();
  return (after - before) / count;
}

export { listen, close, request, drive, bytesKeptPerRequest, agent };
