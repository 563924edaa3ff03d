import assert from 'node:assert/strict';
import { test, before, after } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createQuoteService } from '../quotes/service.js';
import { createSupplierService } from '../supplier/service.js';
import { listen, close, request, bytesKeptPerRequest, agent } from '../testkit/helpers.js';

// SKUs whose look-ups the supplier currently accepts and never answers.
const stalled = new Set();
const supplier = createSupplierService({
  isStalled: (sku) => sku.startsWith('LEGACY-') || stalled.has(sku),
  answerAfterMs: (sku) => (sku.startsWith('SLOW-') ? 100 : 5),
});
// Two deployments of the service: product pages wait 500 ms, the checkout's refresh 50 ms.
let pages;
let checkout;
let pagesUrl;
let checkoutUrl;

before(async () => {
  const supplierUrl = await listen(supplier.server);
  pages = createQuoteService({ supplierUrl, deadlineMs: 500 });
  checkout = createQuoteService({ supplierUrl, deadlineMs: 50 });
  pagesUrl = await listen(pages.server);
  checkoutUrl = await listen(checkout.server);
});

after(async () => {
  pages.close();
  checkout.close();
  agent.destroy();
  await close(pages.server);
  await close(checkout.server);
  await close(supplier.server);
});

const quote = (sku, qty = 1, url = pagesUrl) => request(`${url}/quote?sku=${sku}&qty=${qty}`);

test('a quote prices the quantity asked for', async () => {
  const one = await quote('ACME-100');
  const ten = await quote('ACME-100', 10);
  assert.equal(one.status, 200);
  assert.equal(one.body.currency, 'EUR');
  assert.equal(ten.body.total, Math.round(one.body.unitPrice * 10 * 100) / 100);
});

test('malformed quotes are refused', async () => {
  assert.equal((await quote('acme 1')).status, 400);
  assert.equal((await quote('ACME-1', 0)).status, 400);
});

test('concurrent quotes for one SKU share a single supplier look-up', async () => {
  const before = supplier.counters.lookups;
  const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => quote('SLOW-200', i + 1)));
  assert.deepEqual(
    answers.map((answer) => answer.status),
    Array(8).fill(200),
  );
  assert.equal(supplier.counters.lookups - before, 1);
});

test('a quote the supplier does not answer gives up at the deadline', async () => {
  const started = Date.now();
  const answer = await quote('LEGACY-1', 1, checkoutUrl);
  assert.equal(answer.status, 504);
  assert.ok(Date.now() - started < 400, 'the quote waited far past its deadline');
});

test('a SKU is priced again once the supplier answers for it again', async () => {
  stalled.add('ACME-300');
  assert.equal((await quote('ACME-300', 1, checkoutUrl)).status, 504);
  await sleep(50);
  stalled.delete('ACME-300');
  const again = await quote('ACME-300', 1, checkoutUrl);
  assert.equal(again.status, 200, 'the SKU kept failing after the supplier recovered');
});

test('memory: stays flat while the supplier leaves look-ups unanswered', async (t) => {
  const perQuote = await bytesKeptPerRequest({
    warmup: 50,
    count: 400,
    send: (i) => quote(`LEGACY-${i}`, 1, checkoutUrl),
  });
  t.diagnostic(`heap kept per unanswered quote: ${Math.round(perQuote)} bytes`);
  assert.ok(perQuote < 3000, `the service kept ${Math.round(perQuote)} bytes per unanswered quote`);
});
