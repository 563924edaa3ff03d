import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { FromWebview, HostRequests } from '../../src/extension/protocol';
import { FakeHost, RespondWithError } from './fakeHost';
import { answers, diff, hostile, init, manyClasses, snapshots, summary } from './fixtures';

type Request = Extract<FromWebview, { type: 'request' }>;

let host: FakeHost;
before(async () => {
  host = await FakeHost.open();
});
after(async () => {
  await host?.close();
});
beforeEach(async () => {
  // Each test starts from a fresh page with no saved state.
  await host.page.evaluate(() => sessionStorage.clear());
  await host.reload();
  await host.waitForPosted((m) => m.type === 'ready', 'ready');
  host.respond('summaryPage', answers.summaryPage(summary.classes));
  host.respond('comparisonPage', answers.comparisonPage(diff.classes));
});

function lastRequest<M extends keyof HostRequests>(method: M): HostRequests[M]['params'] {
  const all = host.requests(method);
  assert.ok(all.length > 0, `no ${method} request`);
  return all[all.length - 1];
}

function waitForRequest(
  method: keyof HostRequests,
  matches: (params: Record<string, unknown>) => boolean,
  what: string,
): Promise<Request> {
  return host.waitForPosted(
    (m): m is Request =>
      m.type === 'request' &&
      m.request.method === method &&
      matches(m.request.params as unknown as Record<string, unknown>),
    what,
  );
}

function columnTexts(table: string, column: number): Promise<string[]> {
  return host.page.locator(`#${table} tbody tr.row td:nth-child(${column})`).allTextContents();
}

test('the summary renders the newest snapshot’s classes by retained size', async () => {
  await host.send(init({ view: 'summary' }));
  await host.page.locator('#summary-table tbody tr.row').first().waitFor();
  assert.deepEqual(lastRequest('summaryPage'), {
    snapshotId: 'snap-3',
    sort: { column: 'retainedSize', descending: true },
    filter: '',
    start: 0,
    count: 200,
  });
  const names = await columnTexts('summary-table', 1);
  assert.equal(names.length, summary.classes.length);
  assert.equal(names[0], 'Object', 'largest retained size first');
  const first = await host.page
    .locator('#summary-table tbody tr.row')
    .first()
    .locator('td')
    .allTextContents();
  assert.deepEqual(first, ['Object', '6', '3,507', '191.8 KB', '2.8 MB']);
  assert.match(
    (await host.page.locator('.table-count').first().textContent()) ?? '',
    /^21 classes$/,
  );
  // The class name gets the room; numbers get a fixed share.
  const widths = await host.page
    .locator('#summary-table th')
    .evaluateAll((ths) => ths.map((th) => th.getBoundingClientRect().width));
  assert.ok(widths[0] > 2 * widths[1], `column widths ${widths.join(', ')}`);
  await host.screenshot('summary');
});

test('a hostile class name renders as text in the summary and no dialog fires', async () => {
  await host.send(init({ view: 'summary' }));
  await host.page.locator('#summary-table tbody tr.row').first().waitFor();
  assert.ok((await columnTexts('summary-table', 1)).includes(hostile));
  assert.equal(await host.page.locator('#summary-table img').count(), 0);
  assert.deepEqual(host.errors, []);
});

test('sorting by header click and by Enter sends the sort and sets aria-sort', async () => {
  await host.send(init({ view: 'summary' }));
  await host.page.locator('#summary-table tbody tr.row').first().waitFor();
  const count = host.page.getByRole('columnheader', { name: 'Count' });
  await host.page.getByRole('button', { name: 'Count' }).click();
  await waitForRequest(
    'summaryPage',
    (p) => (p.sort as { column: string }).column === 'count',
    'sort by count',
  );
  assert.deepEqual(lastRequest('summaryPage').sort, { column: 'count', descending: true });
  assert.equal(await count.getAttribute('aria-sort'), 'descending');
  assert.equal(
    await host.page.getByRole('columnheader', { name: 'Retained size' }).getAttribute('aria-sort'),
    null,
  );
  await host.page.locator('#summary-table tbody tr.row').first().waitFor();
  assert.equal((await columnTexts('summary-table', 1))[0], '(string)');

  // Keyboard: focus the Constructor header and press Enter (ascending by name first).
  await host.page.getByRole('button', { name: 'Constructor' }).focus();
  await host.page.keyboard.press('Enter');
  await waitForRequest(
    'summaryPage',
    (p) => (p.sort as { column: string }).column === 'name',
    'sort by name',
  );
  assert.deepEqual(lastRequest('summaryPage').sort, { column: 'name', descending: false });
  await host.page.keyboard.press('Enter');
  await waitForRequest(
    'summaryPage',
    (p) =>
      (p.sort as { column: string; descending: boolean }).descending &&
      (p.sort as { column: string }).column === 'name',
    'sort by name descending',
  );
  assert.equal(
    await host.page.getByRole('columnheader', { name: 'Constructor' }).getAttribute('aria-sort'),
    'descending',
  );
});

test('the filter is debounced into one request with the typed text', async () => {
  await host.send(init({ view: 'summary' }));
  await host.page.locator('#summary-table tbody tr.row').first().waitFor();
  const before = host.requests('summaryPage').length;
  await host.page
    .getByRole('searchbox', { name: /filter classes/i })
    .pressSequentially('str', { delay: 20 });
  await waitForRequest('summaryPage', (p) => p.filter === 'str', 'the filtered request');
  const after = host.requests('summaryPage').slice(before);
  assert.deepEqual(
    after.map((p) => p.filter),
    ['str'],
    'one request for the whole word, not one per key',
  );
  assert.equal(after[0].start, 0);
  await host.page.waitForFunction(
    () => document.querySelectorAll('#summary-table tbody tr.row').length === 3,
  );
  assert.deepEqual(await columnTexts('summary-table', 1), [
    '(string)',
    '(concatenated string)',
    '(sliced string)',
  ]);
});

test('paging: the top level comes 200 rows at a time, only the rows in view are in the DOM', async () => {
  const rows = manyClasses(330); // 351 rows: two pages of 200
  const sorted = answers.summaryPage(rows)({
    snapshotId: 'snap-3',
    sort: { column: 'retainedSize', descending: true },
    filter: '',
    start: 0,
    count: rows.length,
  }).rows;
  host.respond('summaryPage', answers.summaryPage(rows));
  await host.send(init({ view: 'summary' }));
  const table = host.page.locator('#summary-table');
  await table.locator('tbody tr.row').first().waitFor();
  assert.deepEqual(
    host.requests('summaryPage').map((p) => [p.start, p.count]),
    [[0, 200]],
  );
  // 200 rows and the "show more" row, plus the header.
  assert.equal(await table.getAttribute('aria-rowcount'), '202');
  const rendered = await table.locator('tbody tr.row').count();
  assert.ok(rendered > 10 && rendered < 100, `${rendered} rows in the DOM, not all 200`);
  assert.match(
    (await host.page.locator('.table-count').first().textContent()) ?? '',
    /^351 classes$/,
  );

  // Scroll to row 120: its row is rendered in place, without another request.
  await host.page.locator('#panel-summary .split-top .table-scroll').evaluate((scroller) => {
    scroller.scrollTop = 120 * 22;
  });
  await host.page.waitForFunction(
    (name) =>
      document.querySelector('#summary-table tbody tr[aria-rowindex="122"] td')?.textContent ===
      name,
    sorted[120].name,
  );

  // End (keyboard, in the tree) goes to "Show 151 more"; Enter fetches the second page.
  await table.locator('tbody tr.row').first().click();
  await host.page.keyboard.press('End');
  // The last row is rendered (and focused) once the grid has scrolled to it: a frame later.
  await host.page.waitForFunction(() =>
    /Show 151 more of 151/.test(document.activeElement?.textContent ?? ''),
  );
  await host.page.keyboard.press('Enter');
  await waitForRequest('summaryPage', (p) => p.start === 200, 'the second page');
  await host.page.waitForFunction(() => !document.body.textContent?.includes('Show 151 more'));
  await host.page.keyboard.press('End');
  await host.page.waitForFunction(
    (name) => document.activeElement?.querySelector('td')?.textContent === name,
    sorted[350].name,
  );
  assert.equal(await table.getAttribute('aria-rowcount'), '352');
  assert.ok((await table.locator('tbody tr').count()) < 100);
  await host.screenshot('summary-scrolled');
});

test('a failed page is shown in place with its next step', async () => {
  host.respond('summaryPage', () => {
    throw new RespondWithError({
      message: 'The heap worker ran out of memory while parsing S3.',
      nextStep: 'Raise leakHunt.workerMemoryMB, then open the snapshot again.',
    });
  });
  await host.send(init({ view: 'summary' }));
  const alert = host.page.locator('#panel-summary [role=alert]');
  await alert.waitFor();
  assert.match((await alert.textContent()) ?? '', /ran out of memory.*Raise leakHunt/);
  await host.screenshot('summary-error');
});

test('comparison renders deltas with signs and asks for baseline and target', async () => {
  await host.send(init({ view: 'comparison' }));
  await host.page.locator('#comparison-table tbody tr.row').first().waitFor();
  assert.deepEqual(lastRequest('comparisonPage'), {
    baselineId: 'snap-2',
    targetId: 'snap-3',
    sort: { column: 'sizeDelta', descending: true },
    filter: '',
    start: 0,
    count: 200,
  });
  assert.equal(host.requests('summaryPage').length, 0, 'hidden tabs do not fetch');
  const rows = await host.page
    .locator('#comparison-table tbody tr.row')
    .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  assert.deepEqual(rows[0], ['(array)', '812', '14', '+798', '25.4 KB', '448 B', '+3.1 MB']);
  assert.deepEqual(
    rows.find((row) => row[0] === '(closure)'),
    ['(closure)', '40', '52', '\u221212', '1.3 KB', '1.6 KB', '\u2212480 B'],
  );
  assert.ok(rows.some((row) => row[0] === hostile));
  assert.equal(await host.page.locator('#comparison-table img').count(), 0);

  await host.page.locator('#comparison-baseline').selectOption('snap-1');
  await waitForRequest('comparisonPage', (p) => p.baselineId === 'snap-1', 'the new baseline');
  await host.page.getByRole('button', { name: '# Delta' }).click();
  await waitForRequest(
    'comparisonPage',
    (p) => (p.sort as { column: string }).column === 'countDelta',
    'sort by count delta',
  );
  await host.page
    .getByRole('searchbox', { name: /filter classes/i })
    .last()
    .fill('obj');
  await waitForRequest('comparisonPage', (p) => p.filter === 'obj', 'the filter');
  assert.deepEqual(lastRequest('comparisonPage'), {
    baselineId: 'snap-1',
    targetId: 'snap-3',
    sort: { column: 'countDelta', descending: true },
    filter: 'obj',
    start: 0,
    count: 200,
  });
  await host.page
    .getByRole('searchbox', { name: /filter classes/i })
    .last()
    .fill('');
  await host.page.locator('#comparison-table tbody tr.row').nth(5).waitFor();
  await host.screenshot('comparison');
  assert.deepEqual(host.errors, []);
});

test('comparison with fewer than two snapshots says what to do', async () => {
  await host.send(init({ view: 'comparison', snapshots: [] }));
  const panel = host.page.locator('#panel-comparison');
  assert.match((await panel.textContent()) ?? '', /Take two snapshots to compare/);
  assert.equal(host.requests('comparisonPage').length, 0);
  await host.screenshot('comparison-empty');
});

test('show with a selection opens the comparison the host asked for', async () => {
  await host.send(init({ view: 'live' }));
  await host.send({
    type: 'show',
    view: 'comparison',
    selection: { baselineId: 'snap-1', targetId: 'snap-2' },
  });
  await waitForRequest(
    'comparisonPage',
    (p) => p.baselineId === 'snap-1' && p.targetId === 'snap-2',
    'the selected comparison',
  );
  assert.equal(await host.page.locator('#comparison-target').inputValue(), 'snap-2');
});

test('a snapshot the worker is parsing stays selected; one being captured is waited for', async () => {
  await host.send(init({ view: 'summary' }));
  await host.page.locator('#summary-table tbody tr.row').first().waitFor();
  // The host marks a snapshot `parsing` while its worker reads it to answer a request.
  const parsing = snapshots().map((s) =>
    s.id === 'snap-3' ? { ...s, state: 'parsing' as const, progress: 0.5 } : s,
  );
  await host.send({ type: 'snapshots', snapshots: parsing });
  assert.equal(await host.page.locator('#summary-snapshot').inputValue(), 'snap-3');
  assert.equal(host.requests('summaryPage').length, 1, 'no reload, no switch to another snapshot');

  const capturing = {
    id: 'snap-4',
    label: 'S4',
    file: '/tmp/leakhunt/user-4.heapsnapshot',
    takenAt: Date.UTC(2026, 10, 23, 9, 5),
    sizeBytes: 0,
    state: 'capturing' as const,
    progress: 0.3,
  };
  await host.send({ type: 'snapshots', snapshots: snapshots(capturing) });
  await host.send({ type: 'show', view: 'summary', selection: { snapshotId: 'snap-4' } });
  await host.page.locator('#panel-summary').getByText('Waiting for S4').waitFor();
  await host.screenshot('summary-waiting');
  await host.send({
    type: 'snapshots',
    snapshots: snapshots({ ...capturing, state: 'ready', sizeBytes: 21 * 1024 * 1024 }),
  });
  await waitForRequest('summaryPage', (p) => p.snapshotId === 'snap-4', 'the new snapshot');
  assert.equal(await host.page.locator('#panel-summary').getByText('Waiting for S4').count(), 0);
});
