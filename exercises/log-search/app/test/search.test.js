import assert from 'node:assert/strict';
import { test, before, after } from 'node:test';
import { createSearchService } from '../search/service.js';
import { listen, close, request, drive, bytesKeptPerRequest, agent } from '../testkit/helpers.js';

const server = createSearchService();
let base;

before(async () => {
  base = await listen(server);
});

after(async () => {
  agent.destroy();
  await close(server);
});

const search = (q, limit = 20) =>
  request(`${base}/search?q=${encodeURIComponent(q)}&limit=${limit}`);

test('field filters, words, phrases and exclusions narrow the results', async () => {
  const errors = await search('level:error', 50);
  assert.equal(errors.status, 200);
  assert.ok(errors.body.count > 0);
  assert.ok(errors.body.hits.every((hit) => hit.level === 'error'));

  const timeouts = await search('service:billing timeout -slow', 50);
  assert.ok(timeouts.body.hits.every((hit) => hit.service === 'billing'));
  assert.ok(timeouts.body.hits.every((hit) => /timeout/i.test(hit.message)));

  const phrase = await search('"reset by peer"', 5);
  assert.ok(phrase.body.count > 0);
  assert.ok(phrase.body.hits.every((hit) => hit.message.includes('reset by peer')));
});

test('newest lines come first and the limit is honoured', async () => {
  const { body } = await search('', 10);
  assert.equal(body.count, 10);
  const times = body.hits.map((hit) => hit.at);
  assert.deepEqual(times, [...times].sort().reverse());
});

test('an unknown field is a 400 with a message', async () => {
  const { status, body } = await search('host:web-1');
  assert.equal(status, 400);
  assert.match(body.error, /unknown field 'host'/);
});

test('dashboard refreshes reuse the compiled query', async () => {
  const before = server.stats.compilations;
  for (let i = 0; i < 5; i++) await search('level:warn service:api slow');
  assert.equal(server.stats.compilations, before + 1);
});

test('a wall of 300 dashboard panels refreshing does not recompile its queries', async () => {
  const panels = Array.from({ length: 300 }, (_, i) => `service:api "request completed" -${i}`);
  await drive(panels.length, (i) => search(panels[i], 1));
  const before = server.stats.compilations;
  await drive(panels.length, (i) => search(panels[i], 1));
  assert.equal(server.stats.compilations, before);
});

test('memory: ad-hoc searches do not make the service grow', async (t) => {
  const perSearch = await bytesKeptPerRequest({
    warmup: 1000,
    count: 4000,
    send: (i) => search(`level:error job ${i} -"connection reset"`, 5),
  });
  t.diagnostic(`heap kept per search: ${Math.round(perSearch)} bytes`);
  assert.ok(perSearch < 150, `the search service kept ${Math.round(perSearch)} bytes per search`);
});
