import assert from 'node:assert/strict';
import { test, before, after } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createInboxService } from '../inbox/service.js';
import { listen, close, request, bytesKeptPerRequest, agent } from '../testkit/helpers.js';

const WINDOW_MS = 200;
const inbox = createInboxService({ redeliveryWindowMs: WINDOW_MS });
let inboxUrl;

before(async () => {
  inboxUrl = await listen(inbox.server);
});

after(async () => {
  agent.destroy();
  await close(inbox.server);
});

/** An event as the provider sends it: a payment with the customer and the basket. */
function paymentEvent(type, order, amount) {
  return {
    type,
    created: 1767225600,
    livemode: false,
    data: {
      object: {
        order,
        amount,
        currency: 'eur',
        customer: { id: 'cus_4711', email: 'ada@example.test', name: 'Ada Lovelace' },
        billing: { line1: '12 Analytical Row', city: 'London', postcode: 'N1 9GU', country: 'GB' },
        items: Array.from({ length: 16 }, (_, i) => ({
          sku: `SKU-${i}`,
          description: `Item ${i} of the order, as shown on the receipt`,
          quantity: 1 + (i % 3),
          unitAmount: 250 * (i + 1),
          taxRate: 0.2,
        })),
      },
    },
  };
}

const deliver = (url, eventId, event) =>
  request(`${url}/events/${eventId}`, { method: 'POST', body: event });

test('a payment event updates its order', async () => {
  const answer = await deliver(inboxUrl, 'evt-1', paymentEvent('payment.succeeded', 'ord-1', 4200));
  assert.deepEqual(answer.body, { eventId: 'evt-1', applied: true });
  const order = await request(`${inboxUrl}/orders/ord-1`);
  assert.equal(order.body.status, 'paid');
  assert.equal(order.body.amount, 4200);
});

test('an event of an unknown type is refused', async () => {
  const answer = await deliver(inboxUrl, 'evt-2', paymentEvent('payment.teleported', 'ord-2', 1));
  assert.equal(answer.status, 422);
  assert.equal((await request(`${inboxUrl}/orders/ord-2`)).status, 404);
});

test('a redelivered event is acknowledged but not applied twice', async () => {
  const refund = paymentEvent('charge.refunded', 'ord-3', 999);
  await deliver(inboxUrl, 'evt-3a', paymentEvent('payment.succeeded', 'ord-3', 999));
  await deliver(inboxUrl, 'evt-3b', refund);
  const again = await deliver(inboxUrl, 'evt-3b', refund);
  assert.equal(again.status, 200);
  assert.equal(again.body.duplicate, true);
  const order = await request(`${inboxUrl}/orders/ord-3`);
  assert.deepEqual(order.body.history, ['paid', 'refunded']);
});

test('an event arriving again after the redelivery window is applied again', async () => {
  const event = paymentEvent('charge.disputed', 'ord-4', 120);
  await deliver(inboxUrl, 'evt-4', event);
  await sleep(WINDOW_MS * 2);
  const late = await deliver(inboxUrl, 'evt-4', event);
  assert.equal(late.body.applied, true);
  assert.deepEqual((await request(`${inboxUrl}/orders/ord-4`)).body.history, [
    'disputed',
    'disputed',
  ]);
});

test('log lines name the event they belong to', async () => {
  await deliver(inboxUrl, 'evt-5', paymentEvent('payment.failed', 'ord-5', 10));
  const lines = (await request(`${inboxUrl}/debug/log`)).body;
  assert.ok(lines.some((line) => line.includes('[evt-5] payment.failed applied to order ord-5')));
});

test('memory: stays flat while events stream in', async (t) => {
  const production = createInboxService();
  const url = await listen(production.server);
  try {
    const perEvent = await bytesKeptPerRequest({
      warmup: 300,
      count: 2000,
      send: (i) =>
        deliver(
          url,
          `evt-load-${i}`,
          paymentEvent('payment.succeeded', `ord-load-${i % 20}`, 100 + i),
        ),
    });
    t.diagnostic(`heap kept per event: ${Math.round(perEvent)} bytes`);
    assert.ok(perEvent < 1200, `the inbox kept ${Math.round(perEvent)} bytes per event`);
    assert.equal(production.stats.applied, 2300);
  } finally {
    await close(production.server);
  }
});
