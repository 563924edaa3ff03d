import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FromWebview } from '../../src/extension/protocol';
import { FakeHost } from './fakeHost';
import { answers, engineDiff, engineSummary, hostile, init } from './fixtures';

// The same views, fed what the real heap engine printed (`leakhunt summary|diff --json`).
let host: FakeHost;
before(async () => {
  host = await FakeHost.open();
  await host.waitForPosted((m) => m.type === 'ready', 'ready');
  host.respond('summaryPage', answers.summaryPage(engineSummary.classes));
  host.respond('comparisonPage', answers.comparisonPage(engineDiff.classes));
});
after(async () => {
  await host?.close();
});

test('the engine’s summary renders, its hostile object shape as text', async () => {
  await host.send(init({ view: 'summary' }));
  await host.page.locator('#summary-table tbody tr.row').first().waitFor();
  const count = engineSummary.classes.length;
  assert.equal(
    await host.page.locator('#summary-table').getAttribute('aria-rowcount'),
    String(count + 1),
  );
  assert.match(
    (await host.page.locator('.table-count').first().textContent()) ?? '',
    new RegExp(`^${count} classes$`),
  );
  await host.page
    .getByRole('searchbox', { name: /filter classes/i })
    .first()
    .fill('onerror');
  await host.page.waitForFunction(
    () => document.querySelectorAll('#summary-table tbody tr.row').length === 1,
  );
  const name = await host.page.locator('#summary-table tbody tr.row td').first().textContent();
  assert.equal(name, engineSummary.classes.find((c) => c.name.includes(hostile))?.name);
  assert.equal(await host.page.locator('#summary-table img').count(), 0);
  await host.page
    .getByRole('searchbox', { name: /filter classes/i })
    .first()
    .fill('');
  await host.page.waitForFunction(
    () => document.querySelectorAll('#summary-table tbody tr.row').length > 1,
  );
  await host.screenshot('engine-summary');
});

test('the engine’s comparison renders every class that changed', async () => {
  await host.page.getByRole('tab', { name: 'Comparison' }).click();
  await host.page.locator('#comparison-table tbody tr.row').first().waitFor();
  assert.equal(
    await host.page.locator('#comparison-table').getAttribute('aria-rowcount'),
    String(engineDiff.classes.length + 1),
  );
  const first = [...engineDiff.classes].sort((a, b) => b.sizeDelta - a.sizeDelta)[0];
  assert.equal(
    await host.page.locator('#comparison-table tbody tr.row td').first().textContent(),
    first.name,
  );
  await host.screenshot('engine-comparison');
});

test('the engine’s suspects render with their paths and go to the real source line', async () => {
  await host.send({
    type: 'suspects',
    result: {
      baselineId: 'snap-1',
      targetId: 'snap-2',
      finalId: 'snap-3',
      suspects: engineDiff.suspects,
    },
  });
  const cards = host.page.locator('details.suspect');
  assert.equal(await cards.count(), engineDiff.suspects.length);
  for (const [index, suspect] of engineDiff.suspects.entries()) {
    const card = cards.nth(index);
    if (index > 0) await card.locator('summary').click();
    assert.equal(await card.locator('.suspect-name').textContent(), suspect.name);
    assert.deepEqual(await card.locator('.chip').allTextContents(), suspect.path);
    if (suspect.owner !== undefined)
      assert.deepEqual(await card.locator('.chip.owner').allTextContents(), [suspect.owner]);
  }
  const located = engineDiff.suspects.findIndex((s) => s.location);
  assert.ok(located >= 0, 'the engine resolved a source location');
  assert.ok(
    engineDiff.suspects[located].path.includes(hostile),
    'and the path has the hostile key',
  );
  await cards.nth(located).getByRole('button', { name: 'Go to source' }).click();
  const posted = await host.waitForPosted(
    (m): m is Extract<FromWebview, { type: 'openSource' }> => m.type === 'openSource',
    'openSource',
  );
  const location = engineDiff.suspects[located].location!;
  assert.deepEqual(
    posted.location,
    location,
    'the location goes back exactly as the engine gave it',
  );
  // ES modules are named by file:// URL; people read a path.
  assert.equal(
    await cards.nth(located).locator('.location-text').textContent(),
    `${location.file.replace(/^file:\/\//, '')}:${location.line}`,
  );
  assert.deepEqual(host.errors, []);
  await host.screenshot('engine-suspects');
});
