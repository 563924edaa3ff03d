import assert from 'node:assert/strict';
import http from 'node:http';
import { test, before, after } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAlertsService } from '../alerts/service.js';
import { createPriceFeed } from '../alerts/feed.js';
import { listen, close, request, bytesKeptPerRequest, agent } from '../testkit/helpers.js';

// The desks' webhook: records every alert it receives.
const received = [];
const webhook = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    res.end();
  });
});

const feed = createPriceFeed({ tickMs: 0 });
const alerts = createAlertsService({ feed, evaluateEveryMs: 10 });
let alertsUrl;
let callbackUrl;

before(async () => {
  callbackUrl = `${await listen(webhook)}/hook`;
  alertsUrl = await listen(alerts.server);
});

after(async () => {
  alerts.close();
  agent.destroy();
  await close(alerts.server);
  await close(webhook);
});

function save(url, desk, rules) {
  return request(`${url}/watchlists/${desk}`, {
    method: 'PUT',
    body: { callbackUrl, rules, note: `watchlist of ${desk}` },
  });
}

async function alertsFor(desk, wait = 150) {
  await sleep(wait);
  return received.filter((alert) => alert.desk === desk);
}

test('quotes come from the feed', async () => {
  feed.set('ACME', 118);
  const quotes = await request(`${alertsUrl}/quotes?symbols=ACME,NOPE`);
  assert.equal(quotes.status, 200);
  assert.deepEqual(quotes.body, { ACME: 118, NOPE: null });
});

test('a watchlist with a bad rule is refused', async () => {
  const unknown = await save(alertsUrl, 'bad', [{ symbol: 'NOPE', above: 1 }]);
  assert.equal(unknown.status, 400);
  const noLimit = await save(alertsUrl, 'bad', [{ symbol: 'ACME' }]);
  assert.equal(noLimit.status, 400);
  assert.equal((await request(`${alertsUrl}/watchlists/bad`)).status, 404);
});

test('a rule that starts to hold sends one alert', async () => {
  feed.set('ACME', 118);
  const saved = await save(alertsUrl, 'equities', [
    { symbol: 'ACME', above: 120, label: 'breakout' },
  ]);
  assert.equal(saved.status, 200);
  feed.set('ACME', 121);
  const sent = await alertsFor('equities');
  assert.equal(sent.length, 1, 'expected exactly one alert while the rule holds');
  assert.deepEqual(sent[0], { desk: 'equities', symbol: 'ACME', price: 121, rule: 'breakout' });
});

test('a desk that edits its watchlist is alerted by the saved rules only', async () => {
  feed.set('GLOBEX', 40);
  await save(alertsUrl, 'rates', [{ symbol: 'GLOBEX', above: 50, label: 'first draft' }]);
  await save(alertsUrl, 'rates', [{ symbol: 'GLOBEX', above: 60, label: 'second draft' }]);
  const shown = await request(`${alertsUrl}/watchlists/rates`);
  assert.equal(shown.body.rules[0].label, 'second draft');

  feed.set('GLOBEX', 55);
  const early = await alertsFor('rates');
  assert.deepEqual(
    early.map((alert) => alert.rule),
    [],
    'GLOBEX at 55 is under the saved limit of 60, yet the desk was alerted',
  );
  feed.set('GLOBEX', 61);
  const late = await alertsFor('rates');
  assert.deepEqual(
    late.map((alert) => alert.rule),
    ['second draft'],
  );
});

test('a removed watchlist sends nothing more', async () => {
  feed.set('HOOLI', 1000);
  await save(alertsUrl, 'tech', [{ symbol: 'HOOLI', below: 900, label: 'drop' }]);
  assert.equal((await request(`${alertsUrl}/watchlists/tech`, { method: 'DELETE' })).status, 200);
  feed.set('HOOLI', 800);
  assert.deepEqual(await alertsFor('tech'), []);
  assert.equal((await request(`${alertsUrl}/watchlists/tech`)).status, 404);
});

test('memory: stays flat while desks keep editing their watchlists', async (t) => {
  const quiet = createAlertsService({ feed: createPriceFeed({ tickMs: 0 }) });
  const url = await listen(quiet.server);
  const rules = ['ACME', 'GLOBEX', 'INITECH', 'UMBRELLA', 'STARK'].map((symbol) => ({
    symbol,
    above: 1e6,
    label: `${symbol} far above the market`,
  }));
  try {
    const perSave = await bytesKeptPerRequest({
      warmup: 1000,
      count: 3000,
      send: (i) => save(url, `desk-${i % 4}`, rules),
    });
    t.diagnostic(`heap kept per save: ${Math.round(perSave)} bytes`);
    assert.ok(perSave < 500, `the service kept ${Math.round(perSave)} bytes per saved watchlist`);
    assert.equal((await request(`${url}/stats`)).body.desks, 4);
  } finally {
    quiet.close();
    await close(quiet.server);
  }
});
