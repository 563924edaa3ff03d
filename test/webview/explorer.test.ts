/**
 * The object views of the Heap Explorer (Summary's instances and properties, Retainers,
 * Comparison's new/deleted objects, Containment, Dominators, Statistics) in headless Chromium,
 * answered by the fake host from a small fixture heap.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { FromWebview, HostRequests } from '../../src/extension/protocol';
import { FakeHost } from './fakeHost';
import { answers, diff, hostile, init, summary } from './fixtures';
import {
  bidi,
  heapAnswers,
  previewChars,
  serviceFile,
  sessionClass,
  sessionDelta,
  sessionSummary,
  sessions,
} from './heapFixture';

type Request = Extract<FromWebview, { type: 'request' }>;

let host: FakeHost;
before(async () => {
  host = await FakeHost.open();
});
after(async () => {
  await host?.close();
});
beforeEach(async () => {
  await host.page.evaluate(() => sessionStorage.clear());
  await host.reload();
  await host.waitForPosted((m) => m.type === 'ready', 'ready');
  host.respond('summaryPage', answers.summaryPage([sessionSummary, ...summary.classes]));
  host.respond('comparisonPage', answers.comparisonPage([sessionDelta, ...diff.classes]));
  for (const [method, answer] of Object.entries(heapAnswers))
    host.respond(method as keyof typeof heapAnswers, answer as never);
});

function waitForRequest<M extends keyof HostRequests>(
  method: M,
  matches: (params: HostRequests[M]['params']) => boolean,
  what: string,
): Promise<Request> {
  return host.waitForPosted(
    (m): m is Request =>
      m.type === 'request' &&
      m.request.method === method &&
      matches(m.request.params as HostRequests[M]['params']),
    what,
  );
}

/** The row of a tree whose first cell starts with `text`. */
function row(table: string, text: string | RegExp) {
  return host.page.locator(`#${table} tbody tr.row`).filter({
    has: host.page.locator('td:first-child', {
      hasText: typeof text === 'string' ? text : text,
    }),
  });
}

async function rowTexts(table: string): Promise<string[]> {
  return host.page.locator(`#${table} tbody tr.row td:first-child`).allTextContents();
}

async function openSummaryClass(): Promise<void> {
  await host.send(init({ view: 'summary' }));
  const classRow = row('summary-table', sessionClass).first();
  await classRow.waitFor();
  await classRow.click();
  await host.page.keyboard.press('ArrowRight');
  await waitForRequest('instancesPage', (p) => p.className === sessionClass, 'the instances');
  await row('summary-table', `@${sessions[0].id}`).first().waitFor();
}

test('Summary: a class expands to its instances, an instance to its properties, with Distance', async () => {
  await openSummaryClass();
  const classRow = row('summary-table', sessionClass).first();
  assert.equal(await classRow.getAttribute('aria-expanded'), 'true');
  assert.equal(await classRow.getAttribute('aria-level'), '1');
  const instance = row('summary-table', `@${sessions[0].id}`).first();
  assert.equal(await instance.getAttribute('aria-level'), '2');
  assert.equal(await instance.getAttribute('aria-setsize'), '300');
  assert.deepEqual(await instance.locator('td').allTextContents(), [
    `@${sessions[0].id} {userAgent: "curl/8.5", ip: "10.0.0.0", …}`,
    '5',
    '',
    '40 B',
    '7.4 KB',
  ]);
  // 300 instances: the first page of 200 and a "show more" row for the rest.
  assert.deepEqual(
    host.requests('instancesPage').map((p) => [p.start, p.count]),
    [[0, 200]],
  );
  // Windowed: the tree knows all 1 + 200 + 1 rows (and the other classes), the DOM holds a few.
  assert.equal(
    await host.page.locator('#summary-table').getAttribute('aria-rowcount'),
    String(1 + summary.classes.length + 1 + 200 + 1),
  );
  assert.ok((await host.page.locator('#summary-table tbody tr.row').count()) < 80);

  // Keyboard: down to the instance, Right expands it; its properties are level 3.
  await host.page.keyboard.press('ArrowDown');
  await host.page.keyboard.press('ArrowRight');
  await waitForRequest('childrenPage', (p) => p.node === sessions[0].node, 'the properties');
  const property = row('summary-table', 'assignedId ::').first();
  await property.waitFor();
  assert.equal(await property.getAttribute('aria-level'), '3');
  assert.match(
    (await property.locator('td').first().textContent()) ?? '',
    /assignedId :: \(heap number\) @20007 4711/,
  );
  await host.screenshot('summary-expanded');
  assert.deepEqual(host.errors, []);
});

test('Summary: hostile heap strings render as text, long strings arrive cut', async () => {
  await openSummaryClass();
  await row('summary-table', `@${sessions[0].id}`).first().click();
  await host.page.keyboard.press('ArrowRight');
  await row('summary-table', 'userAgent ::').first().waitFor();
  const texts = await rowTexts('summary-table');
  assert.ok(
    texts.some((text) => text.includes(`userAgent :: (string) @20001 "${hostile}"`)),
    texts.join('\n'),
  );
  // The right-to-left override is shown as an escape, so the value cannot pass for "adminexe.png".
  assert.ok(
    texts.some((text) => text.startsWith(`${hostile} :: (string) @20005 "admin\\u202egnp.exe"`)),
    texts.join('\n'),
  );
  assert.ok(!texts.some((text) => text.includes(bidi)));
  const long = texts.find((text) => text.startsWith('note'));
  assert.ok(long !== undefined && long.endsWith(`"${'x'.repeat(previewChars)}…"`), long);
  assert.equal(await host.page.locator('#summary-table img').count(), 0);
  assert.deepEqual(host.errors, []);
});

test('the Retainers pane follows the selected object: shortest route first, cycles and weak edges marked', async () => {
  await openSummaryClass();
  await row('summary-table', `@${sessions[0].id}`).first().click();
  await waitForRequest('retainersPage', (p) => p.node === sessions[0].node, 'the retainers');
  const pane = '#summary-retainers';
  await host.page.locator(`${pane} tbody tr.row`).first().waitFor();
  const retainers = await rowTexts('summary-retainers');
  assert.match(retainers[0], /^\[0\] :: \(object elements\) @11/);
  assert.match(retainers.at(-1) ?? '', /^target :: WeakRef @20011.*weak$/);
  // V8's system distances (100,000,000 and up) read as DevTools shows them: a minus sign.
  assert.equal(
    await host.page
      .locator(`${'#summary-retainers'} tbody tr.row`, { hasText: 'WeakRef' })
      .locator('td')
      .nth(1)
      .textContent(),
    '\u2212',
  );
  assert.match(
    (await host.page.locator('.retainers-pane .pane-title').first().textContent()) ?? '',
    new RegExp(`Retainers of .* @${sessions[0].id}`),
  );
  // Walk up: table → Map → module scope → handleRequest → module scope again (a cycle).
  const tree = host.page.locator(`${pane} tbody`);
  await host.page.locator(`${pane} tbody tr.row`).first().click();
  for (const name of ['table', 'activeSessionsCache', 'context', 'handleRequest']) {
    await host.page.keyboard.press('ArrowRight');
    await tree.locator('tr.row', { hasText: name }).first().waitFor();
    await host.page.keyboard.press('ArrowDown');
  }
  const cycle = tree.locator('tr.row', { has: host.page.locator('.badge.cycle') });
  await cycle.first().waitFor();
  assert.equal(await cycle.first().getAttribute('aria-expanded'), null, 'a cycle does not expand');
  const last = host.requests('retainersPage').at(-1);
  assert.deepEqual(last?.ancestors?.slice(0, 2), [sessions[0].node, 5]);
  await host.screenshot('retainers');
  assert.deepEqual(host.errors, []);
});

test('Go to source on a closure and on an allocation frame posts openSource', async () => {
  await openSummaryClass();
  await row('summary-table', `@${sessions[0].id}`).first().click();
  await host.page.locator('.allocation-stack .frame-link').first().waitFor();
  await host.page.locator('.allocation-stack .frame-link', { hasText: 'createSession' }).click();
  const frame = await host.waitForPosted(
    (m): m is Extract<FromWebview, { type: 'openSource' }> => m.type === 'openSource',
    'openSource for the frame',
  );
  assert.deepEqual(frame.location, { file: serviceFile, line: 17, column: 5 });
  host.clearPosted();
  // The Retainers pane's closure row has its own button.
  const tree = host.page.locator('#summary-retainers tbody');
  await tree.locator('tr.row').first().click();
  await host.page.keyboard.press('ArrowRight');
  await tree.locator('tr.row', { hasText: 'table' }).first().click();
  await host.page.keyboard.press('ArrowRight');
  await tree.locator('tr.row', { hasText: 'activeSessionsCache' }).first().click();
  await host.page.keyboard.press('ArrowRight');
  await tree
    .getByRole('button', { name: /Go to source .*service\.js line 42/ })
    .first()
    .click();
  const closure = await host.waitForPosted(
    (m): m is Extract<FromWebview, { type: 'openSource' }> => m.type === 'openSource',
    'openSource for the closure',
  );
  assert.deepEqual(closure.location, { file: serviceFile, line: 42, column: 3 });
  assert.deepEqual(host.errors, []);
});

test('tree keyboard: Home/End, Left to the parent and to collapse, Enter on "show more"', async () => {
  // Only the session class, so End lands on its "show more" row.
  host.respond('summaryPage', answers.summaryPage([sessionSummary]));
  await openSummaryClass();
  // Focus moves with the next frame's render: wait for it, then name what has it.
  const focusOn = async (pattern: RegExp, what: string): Promise<void> => {
    await host.page
      .waitForFunction(
        (source) =>
          new RegExp(source).test(document.activeElement?.querySelector('td')?.textContent ?? ''),
        pattern.source,
        { timeout: 5000 },
      )
      .catch(() => assert.fail(`focus did not reach ${what}`));
  };
  const classPattern = new RegExp(`^${sessionClass.replace(/[{}]/g, '\\$&')}$`);
  await host.page.keyboard.press('End');
  await focusOn(/Show 100 more of 100/, 'the "show more" row');
  await host.page.keyboard.press('Enter');
  await waitForRequest('instancesPage', (p) => p.start === 200, 'the next page');
  await host.page.waitForFunction(() => !document.body.textContent?.includes('Show 100 more'));
  await host.page.keyboard.press('End');
  await focusOn(new RegExp(`^@${sessions[299].id} `), 'the last instance');
  await host.page.keyboard.press('Home');
  await focusOn(classPattern, 'the class row');
  await host.page.keyboard.press('ArrowDown');
  await focusOn(new RegExp(`^@${sessions[0].id} `), 'the first instance');
  await host.page.keyboard.press('ArrowLeft');
  await focusOn(classPattern, 'the parent (Left on a leaf)');
  await host.page.keyboard.press('ArrowLeft');
  await host.page.waitForFunction(
    () =>
      document.querySelector('#summary-table tr[aria-expanded]')?.getAttribute('aria-expanded') ===
      'false',
  );
  assert.equal(await row('summary-table', `@${sessions[0].id}`).count(), 0);
  assert.deepEqual(host.errors, []);
});

test('expansion and selection survive the panel being hidden and shown', async () => {
  await openSummaryClass();
  await row('summary-table', `@${sessions[0].id}`).first().click();
  await host.page.keyboard.press('ArrowRight');
  await row('summary-table', 'assignedId ::').first().waitFor();
  await host.reload();
  await host.waitForPosted((m) => m.type === 'ready', 'ready');
  await host.send(init({ view: 'live' }));
  await row('summary-table', 'assignedId ::').first().waitFor();
  assert.equal(
    await row('summary-table', `@${sessions[0].id}`).first().getAttribute('aria-selected'),
    'true',
  );
  await host.page.locator('#summary-retainers tbody tr.row').first().waitFor();
  assert.deepEqual(host.errors, []);
});

test('Summary: @id search shows that object; "allocated between" is sent with the pages', async () => {
  await host.send(init({ view: 'summary' }));
  await row('summary-table', sessionClass).first().waitFor();
  await host.page
    .locator('#summary-allocated')
    .selectOption({ label: 'Allocated between S2 and S3' });
  await waitForRequest(
    'summaryPage',
    (p) =>
      p.allocatedBetween?.afterSnapshotId === 'snap-2' &&
      p.allocatedBetween.upToSnapshotId === 'snap-3',
    'the allocated-between summary',
  );
  await row('summary-table', sessionClass).first().click();
  await host.page.keyboard.press('Enter');
  await waitForRequest(
    'instancesPage',
    (p) => p.allocatedBetween?.afterSnapshotId === 'snap-2',
    'instances allocated between',
  );
  await host.page.locator('#summary-id-search').fill('@9');
  await host.page.locator('#summary-id-search').press('Enter');
  await waitForRequest('nodeById', (p) => p.id === 9, 'the @id lookup');
  await row('summary-table', 'Map @9').first().waitFor();
  assert.deepEqual(await rowTexts('summary-table'), ['Map @9 Map(300)']);
  await host.page.locator('#summary-id-search').fill('@424242');
  await host.page.locator('#summary-id-search').press('Enter');
  await host.page.getByText('No object @424242 in this snapshot.').waitFor();
  assert.deepEqual(host.errors, []);
});

test('Comparison: DevTools columns, a class expands to its new and deleted objects', async () => {
  await host.send(init({ view: 'comparison' }));
  const classRow = row('comparison-table', sessionClass).first();
  await classRow.waitFor();
  assert.deepEqual(await host.page.locator('#comparison-table th').allTextContents(), [
    'Constructor',
    '# New',
    '# Deleted',
    '# Delta',
    'Alloc. size',
    'Freed size',
    'Size delta',
  ]);
  assert.deepEqual(await classRow.locator('td').allTextContents(), [
    sessionClass,
    '250',
    '2',
    '+248',
    '9.8 KB',
    '80 B',
    '+9.7 KB',
  ]);
  await classRow.click();
  await host.page.keyboard.press('ArrowRight');
  await row('comparison-table', 'New objects (250)').waitFor();
  await row('comparison-table', 'Deleted objects (2)').waitFor();
  await host.page.keyboard.press('ArrowDown');
  await host.page.keyboard.press('ArrowRight');
  await waitForRequest(
    'comparisonObjectsPage',
    (p) => p.side === 'new' && p.className === sessionClass,
    'the new objects',
  );
  await row('comparison-table', /^\+ @1001/)
    .first()
    .waitFor();
  await host.page.keyboard.press('ArrowDown');
  // A new object lives in the target: its retainers come from there.
  await waitForRequest(
    'retainersPage',
    (p) => p.snapshotId === 'snap-3',
    'retainers in the target',
  );
  await host.screenshot('comparison-expanded');
  assert.deepEqual(host.errors, []);
});

test('Comparison opens on the latest Find Leak’s pair when the host names one', async () => {
  await host.send(
    init({ view: 'comparison', defaultComparison: { baselineId: 'snap-1', targetId: 'snap-2' } }),
  );
  await waitForRequest(
    'comparisonPage',
    (p) => p.baselineId === 'snap-1' && p.targetId === 'snap-2',
    'the Find Leak pair',
  );
  assert.equal(await host.page.locator('#comparison-baseline').inputValue(), 'snap-1');
});

test('Containment, Dominators and Statistics render their fixture heap', async () => {
  await host.send(init({ view: 'containment' }));
  await row('containment-table', '(module service.js)').waitFor();
  assert.match((await rowTexts('containment-table'))[0], /^\[1\] :: global @3/);
  await host.screenshot('containment');

  await host.page.getByRole('tab', { name: 'Dominators' }).click();
  const top = row('dominators-table', 'global @3').first();
  await top.waitFor();
  await top.click();
  await host.page.keyboard.press('ArrowRight');
  await waitForRequest('dominatorsPage', (p) => p.node === 1, 'the dominated children');
  await row('dominators-table', 'handleRequest').first().waitFor();
  await host.screenshot('dominators');

  await host.page.getByRole('tab', { name: 'Statistics' }).click();
  await host.page.locator('.kind-row').first().waitFor();
  assert.deepEqual(await host.page.locator('.kind-label').allTextContents(), [
    'Code',
    'Strings',
    'JS arrays',
    'Typed arrays',
    'System objects',
    'Other',
    'Total',
  ]);
  const rect = host.page.locator('svg.treemap g[role=button]').first();
  await rect.waitFor();
  await rect.focus();
  await host.page.keyboard.press('Enter');
  await waitForRequest('treemap', (p) => p.node !== undefined, 'the zoomed treemap');
  await host.page.getByRole('button', { name: 'Up' }).waitFor();
  await host.screenshot('statistics');
  assert.deepEqual(host.errors, []);
});
