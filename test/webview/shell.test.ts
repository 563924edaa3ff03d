import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FromWebview, SnapshotInfo } from '../../src/extension/protocol';
import { FakeHost } from './fakeHost';
import { answers, diff, init, snapshots, summary } from './fixtures';
import { heapAnswers } from './heapFixture';

let host: FakeHost;
before(async () => {
  host = await FakeHost.open();
  host.respond('summaryPage', answers.summaryPage(summary.classes));
  host.respond('comparisonPage', answers.comparisonPage(diff.classes));
  for (const [method, answer] of Object.entries(heapAnswers))
    host.respond(method as keyof typeof heapAnswers, answer as never);
});

function commands(): string[] {
  return host
    .posted()
    .filter((m): m is Extract<FromWebview, { type: 'command' }> => m.type === 'command')
    .map((m) => m.command);
}
after(async () => {
  await host?.close();
});

function selectedTab(): Promise<string | null> {
  return host.page.locator('[role=tab][aria-selected=true]').textContent();
}

test('the page announces itself to the host once loaded', async () => {
  await host.waitForPosted((m) => m.type === 'ready', 'ready');
  assert.deepEqual(host.posted(), [{ type: 'ready' }]);
});

test('init shows the title, the snapshot list and the requested view', async () => {
  await host.send(init({ view: 'summary' }));
  assert.equal(await host.page.locator('h1').textContent(), 'Heap Explorer — user-sessions');
  assert.equal(await selectedTab(), 'Summary');
  const labels = await host.page.locator('.snapshot .snapshot-label').allTextContents();
  assert.deepEqual(labels, ['S1', 'S2', 'S3']);
  await host.page.locator('#summary-table tbody tr.row').first().waitFor();
  assert.deepEqual(host.errors, []);
});

test('tabs move with the arrow keys, Home and End, and show their panel', async () => {
  const summaryTab = host.page.getByRole('tab', { name: 'Summary' });
  await summaryTab.focus();
  await host.page.keyboard.press('ArrowRight');
  assert.equal(await selectedTab(), 'Comparison');
  assert.equal(await host.page.evaluate(() => document.activeElement?.id), 'tab-comparison');
  assert.equal(await host.page.locator('#panel-comparison').isVisible(), true);
  assert.equal(await host.page.locator('#panel-summary').isVisible(), false);
  await host.page.keyboard.press('End');
  assert.equal(await selectedTab(), 'Leak suspects');
  await host.page.keyboard.press('ArrowRight');
  assert.equal(await selectedTab(), 'Live', 'wraps around');
  await host.page.keyboard.press('ArrowLeft');
  assert.equal(await selectedTab(), 'Leak suspects');
  await host.page.keyboard.press('Home');
  assert.equal(await selectedTab(), 'Live');
  // One tab stop: only the selected tab is in the tab order.
  const tabIndexes = await host.page
    .locator('[role=tab]')
    .evaluateAll((tabs) => tabs.map((tab) => (tab as HTMLElement).tabIndex));
  assert.deepEqual(tabIndexes, [0, -1, -1, -1, -1, -1, -1]);
});

test('header buttons post their commands', async () => {
  host.clearPosted();
  for (const label of ['Take snapshot', 'Find leak', 'Start load', 'Open snapshot'])
    await host.page.getByRole('button', { name: label, exact: true }).click();
  await host.send({ type: 'load', load: 'running' });
  await host.page.getByRole('button', { name: 'Stop load', exact: true }).click();
  assert.deepEqual(commands(), [
    'takeSnapshot',
    'findLeak',
    'startLoad',
    'openSnapshot',
    'stopLoad',
  ]);
  await host.screenshot('shell-header');
});

test('Stop load is enabled only while load runs, Start load only while it does not', async () => {
  const start = host.page.getByRole('button', { name: 'Start load', exact: true });
  const stop = host.page.getByRole('button', { name: 'Stop load', exact: true });
  const states = async (): Promise<string[]> => [
    (await start.getAttribute('aria-disabled')) ?? '',
    (await stop.getAttribute('aria-disabled')) ?? '',
  ];
  await host.send({ type: 'load', load: 'running' });
  assert.deepEqual(await states(), ['true', 'false']);
  assert.match((await start.getAttribute('title')) ?? '', /already running/);
  await host.send({ type: 'load', load: 'idle' });
  assert.deepEqual(await states(), ['false', 'true']);
  assert.match((await stop.getAttribute('title')) ?? '', /no load is running/i);
  host.clearPosted();
  await stop.click({ force: true });
  // An attached process has no load profile: neither applies.
  await host.send({ type: 'load', load: 'unavailable' });
  assert.deepEqual(await states(), ['true', 'true']);
  assert.match((await start.getAttribute('title')) ?? '', /attached process/);
  await start.click({ force: true });
  assert.deepEqual(commands(), [], 'disabled buttons post nothing');
  // init carries the state too (a page recreated while load runs).
  await host.send(init({ load: 'running' }));
  assert.deepEqual(await states(), ['true', 'false']);
  await host.send({ type: 'load', load: 'idle' });
  await host.screenshot('shell-header-idle');
});

test('live commands are disabled with a reason when canRun is false', async () => {
  await host.send(init({ canRun: false }));
  host.clearPosted();
  const take = host.page.getByRole('button', { name: 'Take snapshot' });
  assert.equal(await take.getAttribute('aria-disabled'), 'true');
  assert.match((await take.getAttribute('title')) ?? '', /start the services/i);
  // force: Playwright would wait for an enabled button; a user can still click it.
  await take.click({ force: true });
  await host.page.getByRole('button', { name: 'Start load' }).click({ force: true });
  // Opening a snapshot file is browsing, allowed even in untrusted workspaces.
  const open = host.page.getByRole('button', { name: 'Open snapshot' });
  assert.equal(await open.getAttribute('aria-disabled'), 'false');
  await open.click();
  await host.waitForPosted((m) => m.type === 'command', 'a command');
  assert.deepEqual(commands(), ['openSnapshot']);
  await host.screenshot('shell-cannot-run');
});

const parsingS4: SnapshotInfo = {
  id: 'snap-4',
  label: 'S4',
  file: '/tmp/leakhunt/user-4.heapsnapshot',
  takenAt: Date.UTC(2026, 10, 23, 9, 3),
  sizeBytes: 15 * 1024 * 1024,
  state: 'parsing',
  progress: 0.42,
};
const failedS5: SnapshotInfo = {
  id: 'snap-5',
  label: 'S5',
  file: '/tmp/leakhunt/user-5.heapsnapshot',
  takenAt: Date.UTC(2026, 10, 23, 9, 4),
  sizeBytes: 0,
  state: 'error',
  error: 'The snapshot is truncated at byte 1024.',
};

test('snapshots show progress while parsing and an error with its next step', async () => {
  await host.send({ type: 'snapshots', snapshots: snapshots(parsingS4, failedS5) });
  const bar = host.page.getByRole('progressbar', { name: 'Parsing S4' });
  assert.equal(await bar.getAttribute('aria-valuenow'), '42');
  // Progress ticks re-render only the snapshot that changed: focus elsewhere stays put.
  await host.page.getByRole('button', { name: 'S2', exact: true }).focus();
  const ticked = snapshots({ ...parsingS4, progress: 0.6 }, failedS5);
  await host.send({ type: 'snapshots', snapshots: ticked });
  assert.equal(await bar.getAttribute('aria-valuenow'), '60');
  assert.equal(await host.page.evaluate(() => document.activeElement?.textContent), 'S2');
  const alert = host.page.locator('.snapshot[data-snapshot-id=snap-5] [role=alert]');
  assert.match((await alert.textContent()) ?? '', /truncated at byte 1024.*Open the file again/);
  // Ready and parsing snapshots (a complete file the worker is reading) can be picked; failed ones not.
  const options = await host.page.locator('#summary-snapshot option').allTextContents();
  assert.deepEqual(
    options.map((option) => option.split(' · ')[0]),
    ['S1', 'S2', 'S3', 'S4'],
  );
  assert.match(options[3], /parsing$/);
  await host.screenshot('shell-snapshot-states');
});

test('a host error is shown in place with its next step, and can be dismissed', async () => {
  await host.send({
    type: 'error',
    error: { message: 'The heap worker stopped.', nextStep: 'Reopen the Heap Explorer.' },
  });
  const alert = host.page.locator('.alerts [role=alert]');
  assert.match((await alert.textContent()) ?? '', /heap worker stopped.*Reopen the Heap Explorer/);
  await host.screenshot('shell-error');
  await host.page.getByRole('button', { name: 'Dismiss' }).click();
  assert.equal(await alert.count(), 0);
});

test('view, snapshot, sort and filter survive a reload through getState/setState', async () => {
  await host.send(init({ view: 'summary' }));
  // A later init keeps the user's view (init.view only picks the first); the host uses show.
  await host.send({ type: 'show', view: 'summary' });
  await host.page.locator('#summary-snapshot').selectOption('snap-2');
  await host.page.getByRole('button', { name: 'Count' }).click();
  await host.page.getByRole('searchbox', { name: /filter classes/i }).fill('str');
  await host.waitForPosted(
    (m) =>
      m.type === 'request' &&
      m.request.method === 'summaryPage' &&
      m.request.params.filter === 'str',
    'the filtered summary request',
  );
  await host.page.getByRole('tab', { name: 'Comparison' }).click();

  await host.reload();
  await host.waitForPosted((m) => m.type === 'ready', 'ready after reload');
  await host.send(init({ view: 'live' }));
  assert.equal(await selectedTab(), 'Comparison', 'the saved view wins over init.view');
  await host.page.getByRole('tab', { name: 'Summary' }).click();
  const request = await host.waitForPosted(
    (m): m is Extract<FromWebview, { type: 'request' }> =>
      m.type === 'request' && m.request.method === 'summaryPage',
    'a summary request',
  );
  assert.deepEqual(request.request.params, {
    snapshotId: 'snap-2',
    sort: { column: 'count', descending: true },
    filter: 'str',
    start: 0,
    count: 200,
  });
  assert.equal(await host.page.locator('#summary-snapshot').inputValue(), 'snap-2');
  assert.equal(
    await host.page.getByRole('searchbox', { name: /filter classes/i }).inputValue(),
    'str',
  );
  assert.equal(
    await host.page.getByRole('columnheader', { name: 'Count' }).getAttribute('aria-sort'),
    'descending',
  );
  assert.deepEqual(host.errors, []);
});

test('a new init drops pending requests: their late answers change nothing', async () => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  host.respond('summaryPage', async (params) => {
    await gate;
    return {
      total: 1,
      start: params.start,
      rows: [{ name: 'Stale', count: 1, selfSize: 1, retainedSize: 1, distance: 1 }],
    };
  });
  await host.send({ type: 'show', view: 'summary' });
  await host.send(init({ view: 'summary', snapshots: snapshots().slice(0, 1) }));
  await host.waitForPosted((m) => m.type === 'request', 'the first request');
  host.respond('summaryPage', answers.summaryPage(summary.classes));
  await host.send(init({ view: 'summary' }));
  await host.page.locator('#summary-table tbody tr.row').first().waitFor();
  release();
  await host.page.waitForTimeout(100); // let the stale answer arrive
  const names = await host.page.locator('#summary-table td.name').allTextContents();
  assert.ok(!names.includes('Stale'), `stale rows rendered: ${names.join(', ')}`);
});

test('a narrow panel wraps instead of scrolling sideways, in every view', async () => {
  await host.page.setViewportSize({ width: 460, height: 800 });
  try {
    await host.send(
      init({
        view: 'summary',
        suspects: {
          baselineId: 'snap-1',
          targetId: 'snap-2',
          finalId: 'snap-3',
          suspects: diff.suspects,
        },
      }),
    );
    for (const [tab, name] of [
      ['Summary', 'summary'],
      ['Comparison', 'comparison'],
      ['Containment', 'containment'],
      ['Dominators', 'dominators'],
      ['Statistics', 'statistics'],
      ['Leak suspects', 'suspects'],
      ['Live', 'live'],
    ] as const) {
      await host.page.getByRole('tab', { name: tab }).click();
      const overflow = await host.page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.equal(overflow, 0, `${tab} overflows by ${overflow}px`);
      await host.screenshot(`narrow-${name}`);
    }
  } finally {
    await host.page.setViewportSize({ width: 1000, height: 700 });
  }
});
