import assert from 'node:assert/strict';
import { test, before, after } from 'node:test';
import { createQueueService } from '../queue/service.js';
import { createPaymentService } from '../payment/service.js';
import { createDispatchService } from '../dispatch/service.js';
import { listen, close, request, drive, agent } from '../testkit/helpers.js';

const queue = createQueueService();
let payment;
let dispatch;
let queueUrl;
let paymentUrl;
let dispatchUrl;

before(async () => {
  queueUrl = await listen(queue);
  payment = createPaymentService({ queueUrl });
  paymentUrl = await listen(payment);
  dispatch = createDispatchService({ queueUrl });
  dispatchUrl = await listen(dispatch.server);
  dispatch.start();
});

after(async () => {
  await dispatch.stop();
  agent.destroy();
  await close(payment);
  await close(dispatch.server);
  await close(queue);
});

/** Resolves once dispatch has handled `count` more messages than `since` (shipped, duplicate or rejected). */
async function handled(since, count) {
  const total = () => dispatch.stats.shipped + dispatch.stats.duplicates + dispatch.stats.rejected;
  for (let i = 0; i < 3000 && total() < since + count; i++)
    await new Promise((r) => setTimeout(r, 10));
  assert.equal(total(), since + count, 'dispatch did not drain the queue in time');
}

function handledSoFar() {
  return dispatch.stats.shipped + dispatch.stats.duplicates + dispatch.stats.rejected;
}

test('a paid order is dispatched once, even when the queue delivers it twice', async () => {
  const before = handledSoFar();
  const shipped = dispatch.stats.shipped;
  const message = { orderid: 'order-redelivered-1', user: 'ada', items: [], total: 0 };
  await request(`${queueUrl}/publish`, { method: 'POST', body: message });
  await request(`${queueUrl}/publish`, { method: 'POST', body: message });
  await handled(before, 2);
  assert.equal(dispatch.stats.shipped, shipped + 1);
  assert.ok(dispatch.stats.duplicates >= 1);
});

test('a redelivery after hundreds of other orders is still dispatched only once', async () => {
  const before = handledSoFar();
  const shipped = dispatch.stats.shipped;
  const duplicates = dispatch.stats.duplicates;
  const message = { orderid: 'order-redelivered-late', user: 'ada', items: [], total: 0 };
  const others = 400;
  await request(`${queueUrl}/publish`, { method: 'POST', body: message });
  await drive(others, (i) =>
    request(`${queueUrl}/publish`, {
      method: 'POST',
      body: { orderid: `order-between-${i}`, user: 'grace', items: [], total: 0 },
    }),
  );
  await request(`${queueUrl}/publish`, { method: 'POST', body: message });
  await handled(before, others + 2);
  assert.equal(dispatch.stats.shipped, shipped + others + 1);
  assert.equal(dispatch.stats.duplicates, duplicates + 1);
});

test('payments reach dispatch through the queue and the stats show an empty backlog', async () => {
  const before = handledSoFar();
  const paid = await request(`${paymentUrl}/pay`, {
    method: 'POST',
    body: { user: 'grace', items: [{ sku: 'RED-1', price: 1200, qty: 1 }] },
  });
  assert.equal(paid.status, 200);
  assert.match(paid.body.orderid, /^[0-9a-f-]{36}$/);
  await handled(before, 1);
  const stats = await request(`${dispatchUrl}/stats`);
  assert.equal(stats.body.queueDepth, 0);
  assert.ok(stats.body.shipped >= 1);
});

test('a message without an order id is rejected, not shipped', async () => {
  const before = handledSoFar();
  const rejected = dispatch.stats.rejected;
  await request(`${queueUrl}/publish`, { method: 'POST', body: { user: 'nobody' } });
  await handled(before, 1);
  assert.equal(dispatch.stats.rejected, rejected + 1);
});

test('memory: dispatch stays flat while orders stream through', async (t) => {
  const pay = () =>
    request(`${paymentUrl}/pay`, { method: 'POST', body: { user: 'load', items: [] } });
  const settle = async (count) => {
    const start = handledSoFar();
    await drive(count, pay);
    await handled(start, count);
    for (let i = 0; i < 4; i++) globalThis.gc();
    return process.memoryUsage().heapUsed;
  };
  await settle(1500);
  const start = await settle(0);
  const count = 8000;
  const end = await settle(count);
  const perOrder = (end - start) / count;
  t.diagnostic(`heap kept per order: ${Math.round(perOrder)} bytes`);
  assert.ok(perOrder < 100, `dispatch kept ${Math.round(perOrder)} bytes per order`);
});
