import assert from 'node:assert/strict';
import http from 'node:http';
import { test, before, after } from 'node:test';
import { createOriginalsService } from '../originals/service.js';
import { createThumbnailService } from '../thumbs/service.js';
import { listen, close, request, drive, agent } from '../testkit/helpers.js';

const originals = createOriginalsService();
// An image store that holds every answer until the test lets it go.
const held = [];
const slowStore = http.createServer((req, res) => held.push(res));
let thumbs;
let slowThumbs;
let base;
let slowBase;

before(async () => {
  const originalsUrl = await listen(originals);
  thumbs = createThumbnailService({ originalsUrl });
  base = await listen(thumbs);
  const slowUrl = await listen(slowStore);
  slowThumbs = createThumbnailService({ originalsUrl: slowUrl });
  slowBase = await listen(slowThumbs);
});

after(async () => {
  agent.destroy();
  await close(thumbs);
  await close(slowThumbs);
  await close(originals);
  await close(slowStore);
});

/** Resolves to `{ status, headers, body }` with the body as a Buffer. */
function fetchThumb(path) {
  return new Promise((resolve, reject) => {
    http
      .get(`${base}${path}`, { agent }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      })
      .on('error', reject);
  });
}

test('a JPEG original gives a square grey thumbnail of the asked width', async () => {
  const { status, headers, body } = await fetchThumb('/thumbs/17.jpg?w=64');
  assert.equal(status, 200);
  assert.equal(headers['x-thumbnail-size'], '64x64');
  assert.equal(headers['x-original-format'], 'jpeg');
  assert.equal(body.length, 64 * 64);
  assert.equal(body[0], 17);
});

test('a PNG original is scaled too, and the width is clamped', async () => {
  const small = await fetchThumb('/thumbs/5.png?w=32');
  assert.equal(small.headers['x-original-format'], 'png');
  assert.equal(small.body.length, 32 * 32);
  const huge = await fetchThumb('/thumbs/5.png?w=5000');
  assert.equal(huge.headers['x-thumbnail-size'], '128x128');
});

test('a HEIC original is refused with a 415 that names its type', async () => {
  const { status, body } = await request(`${base}/thumbs/8.heic`);
  assert.equal(status, 415);
  assert.match(body.error, /unsupported image format \(image\/heic\)/);
});

test('an image the store does not have is a 404', async () => {
  const { status } = await request(`${base}/thumbs/0.jpg`);
  assert.equal(status, 404);
});

test('the in-flight view shows a thumbnail while the store is slow to answer', async () => {
  const pending = request(`${slowBase}/thumbs/3.jpg?w=16`);
  while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  const { body } = await request(`${slowBase}/debug/inflight`);
  assert.equal(body.inflight.length, 1);
  assert.match(body.inflight[0].source, /\/originals\/3\.jpg$/);
  held[0].writeHead(404).end();
  assert.equal((await pending).status, 404);
});

test('once the traffic has been answered, nothing is listed as in flight', async () => {
  const paths = ['/thumbs/1.jpg', '/thumbs/2.heic', '/thumbs/0.png', '/thumbs/4.png?w=20'];
  await drive(40, (i) => request(`${base}${paths[i % paths.length]}`));
  const { body } = await request(`${base}/debug/inflight`);
  assert.deepEqual(body.inflight, []);
});

function settledMemory() {
  for (let i = 0; i < 4; i++) globalThis.gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

test('memory: the thumbnailer stays flat, heap and buffers alike', async (t) => {
  const paths = ['/thumbs/{n}.jpg?w=48', '/thumbs/{n}.heic?w=48', '/thumbs/{n}.png'];
  const send = (i) => request(`${base}${paths[i % 3].replace('{n}', String(i + 1))}`);
  await drive(300, send);
  const before = settledMemory();
  const count = 900;
  await drive(count, (i) => send(300 + i));
  const perRequest = (settledMemory() - before) / count;
  t.diagnostic(`memory kept per thumbnail request: ${Math.round(perRequest)} bytes`);
  assert.ok(perRequest < 2000, `the thumbnailer kept ${Math.round(perRequest)} bytes per request`);
});
