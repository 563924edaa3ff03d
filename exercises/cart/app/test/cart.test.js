import assert from 'node:assert/strict';
import http from 'node:http';
import { test, before, after } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCartService } from '../cart/service.js';
import { createCatalogueService } from '../catalogue/service.js';
import { listen, close, request, bytesKeptPerRequest, agent } from '../testkit/helpers.js';

const catalogue = createCatalogueService();
let cart;
let cartUrl;

before(async () => {
  const catalogueUrl = await listen(catalogue);
  cart = createCartService({ catalogueUrl });
  cartUrl = await listen(cart);
});

after(async () => {
  agent.destroy();
  await close(cart);
  await close(catalogue);
});

test('adding items prices them from the catalogue and keeps a running total', async () => {
  await request(`${cartUrl}/cart/t1`, { method: 'DELETE' });
  const first = await request(`${cartUrl}/add/t1/EMB-3/2`);
  assert.equal(first.status, 200);
  assert.deepEqual(
    first.body.items.map((i) => [i.sku, i.qty]),
    [['EMB-3', 2]],
  );
  const second = await request(`${cartUrl}/add/t1/EMB-3/1`);
  assert.equal(second.body.items[0].qty, 3);
  assert.equal(second.body.total, 3 * second.body.items[0].price);
  assert.equal((await request(`${cartUrl}/cart/t1`)).body.total, second.body.total);
});

test('unknown products, bad quantities and unknown carts are refused', async () => {
  assert.equal((await request(`${cartUrl}/add/t2/NOPE/1`)).status, 404);
  assert.equal((await request(`${cartUrl}/add/t2/EMB-3/0`)).status, 400);
  assert.equal((await request(`${cartUrl}/cart/never-made`)).status, 404);
});

test('shutting down aborts the catalogue requests still in flight', async () => {
  let arrived;
  const arrival = new Promise((resolve) => (arrived = resolve));
  let abandoned;
  const abandonment = new Promise((resolve) => (abandoned = resolve));
  // A catalogue that takes the request and never answers.
  const stuckCatalogue = http.createServer((req, res) => {
    res.on('close', () => abandoned('aborted'));
    arrived();
  });
  const shop = createCartService({ catalogueUrl: await listen(stuckCatalogue) });
  const shopUrl = await listen(shop);
  const adding = request(`${shopUrl}/add/t3/EMB-3/1`).catch(() => 'closed');
  await arrival;
  await close(shop);
  const outcome = await Promise.race([abandonment, sleep(3000, 'still waiting')]);
  await close(stuckCatalogue);
  await adding;
  assert.equal(outcome, 'aborted', 'the request to the catalogue outlived the cart service');
});

test('memory: the cart stays flat while shoppers add items', async (t) => {
  const skus = ['RED-1', 'EMB-3', 'SRV-4'];
  const perRequest = await bytesKeptPerRequest({
    warmup: 300,
    count: 3000,
    send: (i) => request(`${cartUrl}/add/shopper-${i % 5}/${skus[i % 3]}/1`),
  });
  t.diagnostic(`heap kept per request: ${Math.round(perRequest)} bytes`);
  assert.ok(perRequest < 1000, `the cart kept ${Math.round(perRequest)} bytes per request`);
});
