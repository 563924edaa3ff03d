import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import {
  LatencyHistogram,
  LoadProfileError,
  NonLoopbackTargetError,
  expandPath,
  runLoad,
  seededRandom,
  weightedPicker,
} from '../../../src/load';
import { isLoopbackHost } from '../../../src/common/loopback';
import { freePort } from '../../../src/inspector/launch';

interface Recorded {
  method: string;
  url: string;
  body: string;
  socket: unknown;
}

/** A loopback server that records what it receives; `/missing...` answers 404. */
async function recordingServer(): Promise<{
  url: string;
  seen: Recorded[];
  close(): Promise<void>;
}> {
  const seen: Recorded[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body, socket: req.socket });
      res.statusCode = req.url?.startsWith('/missing') ? 404 : 200;
      res.end('ok');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

test('loopback hosts are recognised and everything else is not', () => {
  for (const host of ['localhost', '127.0.0.1', '127.5.6.7', '::1', '[::1]', 'LOCALHOST'])
    assert.equal(isLoopbackHost(host), true, host);
  for (const host of ['10.0.0.1', '192.168.1.2', 'example.com', '0.0.0.0', '::', '128.0.0.1'])
    assert.equal(isLoopbackHost(host), false, host);
});

test('a non-loopback target is refused before any request is sent', async () => {
  const server = await recordingServer();
  try {
    await assert.rejects(
      runLoad({
        targets: { local: server.url, remote: 'http://10.1.2.3:8080' },
        requests: [
          { service: 'local', method: 'GET', path: '/' },
          { service: 'remote', method: 'GET', path: '/' },
        ],
        count: 10,
      }),
      (error: unknown) =>
        error instanceof NonLoopbackTargetError && /10\.1\.2\.3/.test(error.message),
    );
    assert.equal(server.seen.length, 0);
  } finally {
    await server.close();
  }
});

test('an unknown service or an empty mix is a profile error', async () => {
  await assert.rejects(
    runLoad({ targets: {}, requests: [{ service: 'ghost', method: 'GET', path: '/' }] }),
    LoadProfileError,
  );
  await assert.rejects(runLoad({ targets: {}, requests: [] }), LoadProfileError);
});

test('path templates expand {n} and a seeded {rand}', () => {
  const a = seededRandom(7);
  const b = seededRandom(7);
  const first = expandPath('/users/{n}/items/{rand}', 41, a);
  assert.equal(first, expandPath('/users/{n}/items/{rand}', 41, b));
  assert.match(first, /^\/users\/41\/items\/\d+$/);
  assert.notEqual(expandPath('/{rand}', 0, a), expandPath('/{rand}', 0, a));
});

test('weights give an exact, repeatable mix', () => {
  const pick = weightedPicker([
    { id: 'a', weight: 3 },
    { id: 'b', weight: 1 },
  ]);
  const ids = Array.from({ length: 8 }, () => pick().id);
  assert.equal(ids.filter((id) => id === 'a').length, 6);
  assert.equal(ids.filter((id) => id === 'b').length, 2);
  assert.throws(() => weightedPicker([{ weight: 0 }]), LoadProfileError);
});

test('a run sends the count, counts 2xx and non-2xx, posts JSON bodies and reuses sockets', async () => {
  const server = await recordingServer();
  try {
    const stats = await runLoad({
      targets: { api: server.url },
      requests: [
        { service: 'api', method: 'POST', path: '/orders/{n}', body: { item: 'tea' }, weight: 3 },
        { service: 'api', method: 'GET', path: '/missing/{n}', weight: 1 },
      ],
      count: 40,
      concurrency: 4,
      firstSequence: 100,
    });
    assert.equal(stats.sent, 40);
    assert.equal(stats.ok, 30);
    assert.equal(stats.non2xx, 10);
    assert.equal(stats.errors, 0);
    assert.ok(stats.p95Ms >= stats.p50Ms && stats.p50Ms > 0);
    const posts = server.seen.filter((r) => r.method === 'POST');
    assert.equal(posts.length, 30);
    assert.deepEqual(JSON.parse(posts[0]!.body), { item: 'tea' });
    const numbers = server.seen
      .map((r) => Number(/\/(\d+)$/.exec(r.url)?.[1]))
      .sort((x, y) => x - y);
    assert.equal(numbers[0], 100);
    assert.equal(numbers.at(-1), 139);
    assert.ok(new Set(server.seen.map((r) => r.socket)).size <= 4, 'keep-alive reuses sockets');
  } finally {
    await server.close();
  }
});

test('requests to a closed port count as errors, not as a crash', async () => {
  const port = await freePort();
  const stats = await runLoad({
    targets: { api: `http://127.0.0.1:${port}` },
    requests: [{ service: 'api', method: 'GET', path: '/' }],
    count: 5,
    concurrency: 2,
  });
  assert.equal(stats.sent, 5);
  assert.equal(stats.errors, 5);
  assert.equal(stats.ok, 0);
});

test('a rate limit spaces the requests out and a duration ends the run', async () => {
  const server = await recordingServer();
  try {
    const limited = await runLoad({
      targets: { api: server.url },
      requests: [{ service: 'api', method: 'GET', path: '/' }],
      count: 11,
      rate: 50,
      concurrency: 4,
    });
    // 11 requests at 50/s: the last one may not start before 200 ms.
    assert.ok(limited.durationMs >= 195, `took ${limited.durationMs} ms`);
    const timed = await runLoad({
      targets: { api: server.url },
      requests: [{ service: 'api', method: 'GET', path: '/' }],
      durationSeconds: 0.2,
      rate: 100,
    });
    assert.ok(timed.sent > 0 && timed.sent <= 21, `sent ${timed.sent}`);
  } finally {
    await server.close();
  }
});

test('aborting stops the run and rejects with the abort reason', async () => {
  const server = await recordingServer();
  try {
    const controller = new AbortController();
    const reason = new Error('user pressed Ctrl-C');
    const run = runLoad(
      {
        targets: { api: server.url },
        requests: [{ service: 'api', method: 'GET', path: '/' }],
        count: 1_000_000,
        concurrency: 2,
      },
      {
        signal: controller.signal,
        progressIntervalMs: 0,
        onProgress: (stats) => {
          if (stats.sent >= 20) controller.abort(reason);
        },
      },
    );
    await assert.rejects(run, (error) => error === reason);
    assert.ok(server.seen.length < 1000);
  } finally {
    await server.close();
  }
});

test('latency percentiles come from a bounded histogram, within 1%', () => {
  const histogram = new LatencyHistogram();
  assert.equal(histogram.percentile(50), 0);
  for (let ms = 1; ms <= 100; ms++) histogram.record(ms);
  const p50 = histogram.percentile(50);
  const p95 = histogram.percentile(95);
  assert.ok(p50 >= 50 && p50 <= 50 * 1.02, `p50 ${p50}`);
  assert.ok(p95 >= 95 && p95 <= 95 * 1.02, `p95 ${p95}`);
  histogram.record(10 * 60 * 60 * 1000);
  assert.ok(histogram.percentile(100) > 60_000, 'an hour-long outlier lands in the last bucket');
});
