import assert from 'node:assert/strict';
import { test, before, after } from 'node:test';
import { createPreviewService } from '../previews/service.js';
import { createSitesService } from '../sites/service.js';
import { listen, close, request, drive, bytesKeptPerRequest, agent } from '../testkit/helpers.js';

const sites = createSitesService();
let previews;
let previewsUrl;

before(async () => {
  const sitesUrl = await listen(sites.server);
  previews = createPreviewService({ sitesUrl });
  previewsUrl = await listen(previews.server);
});

after(async () => {
  previews.close();
  agent.destroy();
  await close(previews.server);
  await close(sites.server);
});

const preview = (link) => request(`${previewsUrl}/preview?url=${link}`);

test("a preview shows the page's title, description and image", async () => {
  const card = await preview('/articles/release-notes-4-2');
  assert.equal(card.status, 200);
  assert.equal(card.body.title, 'Release Notes 4 2');
  assert.match(card.body.description, /^Release Notes 4 2: what changed/);
  assert.equal(card.body.image, 'https://cdn.example.test/covers/release-notes-4-2.jpg');
  assert.equal(card.body.siteName, 'The Example Journal');
  assert.match(card.body.card, /<strong>Release Notes 4 2<\/strong>/);
});

test('a link pasted again is answered without fetching the page again', async () => {
  const first = await preview('/articles/status-page');
  const served = sites.counters.pagesServed;
  const again = await preview('/articles/status-page');
  assert.deepEqual(again.body, first.body);
  assert.equal(sites.counters.pagesServed, served, 'the page was fetched again');
});

test('links people keep pasting stay fast while new links stream in', async () => {
  await preview('/articles/onboarding-guide');
  await drive(480, async (i) => {
    await preview(`/articles/one-off-${i}`);
    if (i % 20 === 0) await preview('/articles/onboarding-guide');
  });
  const served = sites.counters.pagesServed;
  await preview('/articles/onboarding-guide');
  assert.equal(
    sites.counters.pagesServed,
    served,
    'a link pasted every few minutes was fetched again',
  );
});

test('pages that cannot be fetched and malformed links are refused', async () => {
  assert.equal((await preview('/nowhere')).status, 502);
  assert.equal((await preview('http://elsewhere.test/x')).status, 400);
});

test('memory: levels off once the cache is warm', async (t) => {
  const perLink = await bytesKeptPerRequest({
    warmup: 450,
    count: 600,
    send: (i) => preview(`/articles/steady-${i}`),
  });
  t.diagnostic(`heap kept per new link: ${Math.round(perLink)} bytes`);
  assert.ok(perLink < 500, `the service kept ${Math.round(perLink)} bytes per new link`);
});
