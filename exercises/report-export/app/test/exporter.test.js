import assert from 'node:assert/strict';
import http from 'node:http';
import { test, before, after } from 'node:test';
import { createExportService } from '../exporter/service.js';
import { orderCount } from '../exporter/orders.js';
import { listen, close, request, drive, bytesKeptPerRequest, agent } from '../testkit/helpers.js';

const server = createExportService();
let base;

before(async () => {
  base = await listen(server);
});

after(async () => {
  agent.destroy();
  await close(server);
});

test('an export is a CSV with a header and one line per order of the month', async () => {
  const { status, body } = await request(`${base}/reports/acme/orders.csv?month=2026-10`);
  assert.equal(status, 200);
  const lines = body.trim().split('\n');
  assert.equal(lines[0], 'id,placed_at,sku,qty,total');
  assert.equal(lines.length - 1, orderCount('acme'));
  assert.match(lines[1], /^acme-2026-10-00000,2026-10-01T00:00:00.000Z,[A-Z]+-\d,\d,\d+$/);
});

test('a malformed month is a 400', async () => {
  const { status } = await request(`${base}/reports/acme/orders.csv?month=October`);
  assert.equal(status, 400);
});

test('a big export can be followed while it runs, up to its last row', async () => {
  const csv = await new Promise((resolve, reject) => {
    http.get(`${base}/reports/big-globex/orders.csv?month=2026-10`, resolve).on('error', reject);
  });
  const id = csv.headers['x-export-id'];
  // The CSV is not read yet, so the export waits on its client: it is still running.
  const listed = await request(`${base}/exports`);
  assert.deepEqual(
    listed.body.running.map((running) => running.id),
    [id],
  );
  const following = request(`${base}/exports/${id}/progress`);
  let bytes = 0;
  csv.on('data', (chunk) => (bytes += chunk.length));
  await new Promise((resolve) => csv.on('end', resolve));
  const updates = (await following).body
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  assert.ok(bytes > 100_000);
  assert.ok(updates.length >= 2);
  assert.deepEqual(updates.at(-1).done, true);
  assert.equal(updates.at(-1).rows, orderCount('big-globex'));
});

test('finished exports drop off the list of running exports', async () => {
  await drive(20, (i) => request(`${base}/reports/tenant-${i}/orders.csv?month=2026-09`));
  const { body } = await request(`${base}/exports`);
  assert.deepEqual(body.running, []);
});

test('memory: the exporter stays flat while reports are exported', async (t) => {
  const perExport = await bytesKeptPerRequest({
    warmup: 1000,
    count: 2000,
    send: (i) => request(`${base}/reports/shop-${i}/orders.csv?month=2026-10`),
  });
  t.diagnostic(`heap kept per export: ${Math.round(perExport)} bytes`);
  assert.ok(perExport < 600, `the exporter kept ${Math.round(perExport)} bytes per export`);
});
