import assert from 'node:assert/strict';
import { test, before, after } from 'node:test';
import { createWebService } from '../web/service.js';
import { createUserService } from '../user/service.js';
import { createCatalogueService } from '../catalogue/service.js';
import { listen, close, request, bytesKeptPerRequest, agent } from '../testkit/helpers.js';

// The whole shop runs inside this test process, wired like the launcher wires it.
const user = createUserService();
const catalogue = createCatalogueService();
let web;
let webUrl;

before(async () => {
  const userUrl = await listen(user);
  const catalogueUrl = await listen(catalogue);
  web = createWebService({ userUrl, catalogueUrl });
  webUrl = await listen(web);
});

after(async () => {
  agent.destroy();
  await close(web);
  await close(user);
  await close(catalogue);
});

test('anonymous visitors get distinct ids through the gateway', async () => {
  const first = await request(`${webUrl}/api/user/uniqueid`);
  const second = await request(`${webUrl}/api/user/uniqueid`);
  assert.equal(first.status, 200);
  assert.match(first.body.uuid, /^anonymous-\d+$/);
  assert.notEqual(first.body.uuid, second.body.uuid);
});

test('the catalogue lists products and finds one by sku', async () => {
  const list = await request(`${webUrl}/api/catalogue/products`);
  assert.equal(list.status, 200);
  assert.ok(list.body.length >= 3);
  const one = await request(`${webUrl}/api/catalogue/product/${list.body[0].sku}`);
  assert.equal(one.body.name, list.body[0].name);
  assert.equal((await request(`${webUrl}/api/catalogue/product/NOPE`)).status, 404);
});

test('login accepts the right password and refuses a wrong one', async () => {
  const ok = await request(`${webUrl}/api/user/login`, {
    method: 'POST',
    body: { name: 'ada', password: 'analytical' },
  });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.email, 'ada@example.test');
  const wrong = await request(`${webUrl}/api/user/login`, {
    method: 'POST',
    body: { name: 'ada', password: 'nope' },
  });
  assert.equal(wrong.status, 404);
});

test('memory: the shop stays flat while anonymous visitors browse', async (t) => {
  const perRequest = await bytesKeptPerRequest({
    warmup: 300,
    count: 3000,
    send: (i) =>
      request(i % 3 === 2 ? `${webUrl}/api/catalogue/products` : `${webUrl}/api/user/uniqueid`, {
        headers: { 'user-agent': `visitor-${i}` },
      }),
  });
  t.diagnostic(`heap kept per request: ${Math.round(perRequest)} bytes`);
  assert.ok(perRequest < 1000, `the shop kept ${Math.round(perRequest)} bytes per visitor request`);
});
