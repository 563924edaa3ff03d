import assert from 'node:assert/strict';
import http from 'node:http';
import { test, before, after } from 'node:test';
import { createPricingService } from '../pricing/service.js';
import { createGatewayService } from '../gateway/service.js';
import { listen, close, request, drive, bytesKeptPerRequest, agent } from '../testkit/helpers.js';

const pricing = createPricingService();
// An engine that answers HOOLI only after a long think, to see what the gateway does meanwhile.
const stuckPricing = http.createServer((req, res) => {
  const delay = req.url.endsWith('/HOOLI') ? 1000 : 1;
  setTimeout(() => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ symbol: req.url.split('/').pop(), bid: 1, ask: 2 }));
  }, delay);
});
const logged = [];
const warnings = [];
let gateway;
let slowGateway;
let base;
let slowBase;

before(async () => {
  process.on('warning', (warning) => warnings.push(warning));
  const pricingUrl = await listen(pricing);
  gateway = createGatewayService({ pricingUrl, log: () => {} });
  base = await listen(gateway);
  const stuckUrl = await listen(stuckPricing);
  slowGateway = createGatewayService({
    pricingUrl: stuckUrl,
    upstreamTimeoutMs: 200,
    log: (line) => logged.push(line),
  });
  slowBase = await listen(slowGateway);
});

after(async () => {
  agent.destroy();
  gateway.agent.destroy();
  slowGateway.agent.destroy();
  await close(gateway);
  await close(slowGateway);
  await close(pricing);
  await close(stuckPricing);
});

test('a quote comes back from pricing, tagged with the caller request id', async () => {
  const { status, body } = await request(`${base}/api/quotes/acme`, {
    headers: { 'x-request-id': 'trace-123' },
  });
  assert.equal(status, 200);
  assert.equal(body.symbol, 'ACME');
  assert.ok(body.ask > body.bid);
});

test('calls to pricing share a small pool of connections', async () => {
  let connections = 0;
  const count = () => connections++;
  pricing.on('connection', count);
  await drive(200, (i) => request(`${base}/api/quotes/${['ACME', 'HOOLI'][i % 2]}`));
  pricing.off('connection', count);
  assert.ok(connections <= 8, `${connections} new connections to pricing for 200 quotes`);
});

test('an unknown symbol is passed through as a 404', async () => {
  const { status, body } = await request(`${base}/api/quotes/NOPE`);
  assert.equal(status, 404);
  assert.match(body.error, /unknown symbol NOPE/);
});

test('a stuck pricing call is answered with a 504 after the upstream timeout', async () => {
  const started = Date.now();
  const { status } = await request(`${slowBase}/api/quotes/HOOLI`);
  assert.equal(status, 504);
  assert.ok(Date.now() - started < 900, 'the gateway waited for pricing past its timeout');
});

test('after a busy spell, one stuck pricing call is one timeout, logged once', async () => {
  await drive(300, () => request(`${slowBase}/api/quotes/ACME`));
  const timeoutsBefore = slowGateway.stats.timeouts;
  logged.length = 0;
  const { status } = await request(`${slowBase}/api/quotes/HOOLI`, {
    headers: { 'x-request-id': 'stuck-1' },
  });
  assert.equal(status, 504);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(slowGateway.stats.timeouts, timeoutsBefore + 1);
  assert.deepEqual(
    logged.map((line) => line.split(']')[0]),
    ['[stuck-1'],
  );
});

test('a busy day of quotes raises no process warnings', async () => {
  await drive(400, (i) => request(`${base}/api/quotes/${['ACME', 'GLOBX', 'UMBRL'][i % 3]}`));
  assert.deepEqual(
    warnings.map((warning) => `${warning.name}: ${warning.message}`),
    [],
  );
});

test('memory: the gateway stays flat while quotes stream through', async (t) => {
  const perQuote = await bytesKeptPerRequest({
    warmup: 500,
    count: 2000,
    send: (i) => request(`${base}/api/quotes/${['ACME', 'GLOBX', 'INITECH'][i % 3]}`),
  });
  t.diagnostic(`heap kept per quote: ${Math.round(perQuote)} bytes`);
  assert.ok(perQuote < 200, `the gateway kept ${Math.round(perQuote)} bytes per quote`);
});
