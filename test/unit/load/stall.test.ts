import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { LoadProfileError, LoadStalledError, runLoad, type LoadStats } from '../../../src/load';

/**
 * A loopback server that answers `/ok…` at once, never answers `/hang…`, and sends the headers
 * and a first chunk of `/trickle…` but never the rest. Counts the connections still open.
 */
async function stuckServer(): Promise<{ url: string; open(): number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/hang')) return;
    if (req.url?.startsWith('/trickle')) return void res.write('first chunk, and nothing more');
    res.end('ok');
  });
  let open = 0;
  server.on('connection', (socket) => {
    open++;
    socket.once('close', () => open--);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    open: () => open,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** `runLoad`, failing the test instead of hanging it when the run never ends. */
function boundedLoad(run: Promise<LoadStats>): Promise<LoadStats> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    run,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the load run hung')), 10_000);
    }),
  ]).finally(() => clearTimeout(timer));
}

test('a request left unanswered ends the run with LoadStalledError, and drops every socket', async () => {
  const server = await stuckServer();
  try {
    const started = Date.now();
    await assert.rejects(
      boundedLoad(
        runLoad({
          targets: { api: server.url },
          // One request in ten hangs: the run stops at the first of them.
          requests: [
            { service: 'api', method: 'GET', path: '/ok/{n}', weight: 9 },
            { service: 'api', method: 'GET', path: '/hang/{n}', weight: 1 },
          ],
          count: 100,
          concurrency: 1,
          requestTimeoutMs: 300,
        }),
      ),
      (error: unknown) => {
        assert.ok(error instanceof LoadStalledError, String(error));
        assert.equal(error.service, 'api');
        assert.match(error.request, /^GET \/hang\/\d+$/);
        assert.ok(error.answered > 0 && error.answered < 10, `answered ${error.answered}`);
        assert.equal(error.timeoutMs, 300);
        return true;
      },
    );
    assert.ok(Date.now() - started < 5000);
    // Nothing of the run is left connected to the stuck service.
    const until = Date.now() + 2000;
    while (server.open() > 0 && Date.now() < until)
      await new Promise((done) => setTimeout(done, 20));
    assert.equal(server.open(), 0);
  } finally {
    await server.close();
  }
});

test('a response that starts but never ends counts as unanswered', async () => {
  const server = await stuckServer();
  try {
    await assert.rejects(
      boundedLoad(
        runLoad({
          targets: { api: server.url },
          requests: [{ service: 'api', method: 'GET', path: '/trickle/{n}' }],
          count: 4,
          requestTimeoutMs: 300,
        }),
      ),
      (error: unknown) => error instanceof LoadStalledError,
    );
  } finally {
    await server.close();
  }
});

test('a request timeout that is not a positive number is a profile error', async () => {
  await assert.rejects(
    runLoad({
      targets: { api: 'http://127.0.0.1:1' },
      requests: [{ service: 'api', method: 'GET', path: '/' }],
      requestTimeoutMs: 0,
    }),
    LoadProfileError,
  );
});
