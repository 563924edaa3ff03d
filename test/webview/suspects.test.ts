import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { FromWebview, SuspectsResult } from '../../src/extension/protocol';
import { FakeHost, RespondWithError } from './fakeHost';
import { diff, hostile, init, snapshots } from './fixtures';

let host: FakeHost;
before(async () => {
  host = await FakeHost.open();
});
after(async () => {
  await host?.close();
});
/** The suspect card whose class name is exactly `name`. */
function cardNamed(name: string) {
  return host.page.locator('details.suspect', {
    has: host.page.locator('.suspect-name', { hasText: new RegExp(`^${name}$`) }),
  });
}

beforeEach(async () => {
  await host.page.evaluate(() => sessionStorage.clear());
  await host.reload();
  await host.waitForPosted((m) => m.type === 'ready', 'ready');
});

const result: SuspectsResult = {
  baselineId: 'snap-1',
  targetId: 'snap-2',
  finalId: 'snap-3',
  suspects: diff.suspects,
};

test('pushed suspects render with the first one expanded and its retainer path as chips', async () => {
  await host.send(init({ view: 'live' }));
  await host.send({ type: 'suspects', result });
  assert.equal(
    await host.page.locator('[role=tab][aria-selected=true]').textContent(),
    'Leak suspects',
  );
  const cards = host.page.locator('details.suspect');
  assert.equal(await cards.count(), 3);
  assert.deepEqual(
    await cards.evaluateAll((all) => all.map((card) => (card as HTMLDetailsElement).open)),
    [true, false, false],
  );
  const first = cards.first();
  assert.equal(await first.locator('.suspect-name').textContent(), '(array)');
  assert.equal(await first.locator('.badge').textContent(), '×798');
  assert.equal(await first.locator('.suspect-size').textContent(), '3.1 MB retained');
  assert.deepEqual(await first.locator('.path .chip').allTextContents(), [
    '(GC roots)',
    '(context)',
    'activeSessionsCache',
    '4711',
    'activityLog',
  ]);
  assert.equal(await first.locator('.path .path-arrow').count(), 4, 'an arrow between steps');
  assert.equal(await first.locator('.suspect-owner').textContent(), 'held by activeSessionsCache');
  assert.deepEqual(await first.locator('.chip.owner').allTextContents(), ['activeSessionsCache']);
  assert.equal(await cardNamed('Object').locator('.chip.owner').count(), 0, 'no owner, no mark');
  assert.equal(
    await first.locator('.location-text').textContent(),
    '/work/exercises/user-sessions/app/user/server.js:43',
  );
  // The pickers follow the result.
  assert.equal(await host.page.locator('#suspects-baseline').inputValue(), 'snap-1');
  assert.equal(await host.page.locator('#suspects-final').inputValue(), 'snap-3');
  await host.screenshot('suspects');
});

test('hostile class names, edge names and files render as text', async () => {
  await host.send(init({ view: 'suspects', suspects: result }));
  // 64 bytes against 3.1 MB: the hostile suspect sits among the smaller ones.
  await host.page.locator('.minor-suspects > summary').click();
  const card = host.page.locator('.minor-suspects details.suspect');
  await card.locator('summary').click();
  assert.equal(await card.locator('.suspect-name').textContent(), hostile);
  assert.deepEqual(await card.locator('.chip').allTextContents(), ['(GC roots)', hostile, 'cache']);
  assert.equal(await card.locator('.suspect-owner code').textContent(), hostile);
  assert.equal(await card.locator('.location-text').textContent(), `/tmp/${hostile}.js:7`);
  assert.equal(await host.page.locator('#panel-suspects img').count(), 0);
  await host.page.waitForTimeout(100); // an injected onerror would fire by now
  assert.deepEqual(host.errors, []);
  await host.screenshot('suspects-hostile');
});

test('the container class and the other retention routes are shown, as text', async () => {
  const [first] = diff.suspects;
  const withRoutes: SuspectsResult = {
    ...result,
    suspects: [
      {
        ...first,
        name: '(concatenated string)',
        owner: 'sessions',
        container: 'MemoryStore',
        path: ['(module app.js)', 'store', 'sessions', 'abc123'],
        routes: [
          ['(module app.js)', 'store', 'sessions', 'abc123'],
          ['(global)', 'process', '_events', 'uncaughtException', '0', 'bound_this', 'logger'],
          ['(global)', hostile, 'abc123'],
        ],
      },
      { ...first, retainedSize: first.retainedSize / 2, owner: undefined, container: hostile },
    ],
  };
  await host.send(init({ view: 'suspects', suspects: withRoutes }));
  const card = host.page.locator('details.suspect').first();
  assert.equal(
    await card.locator('.suspect-owner').textContent(),
    'held by sessions in MemoryStore',
  );
  assert.equal(await card.locator('.container-class').textContent(), 'MemoryStore');
  // The shown path first, marked at its owner; then each other route, unmarked.
  const paths = card.locator('ol.path');
  assert.equal(await paths.count(), 3);
  assert.deepEqual(await paths.nth(0).locator('.chip.owner').allTextContents(), ['sessions']);
  assert.deepEqual(await card.locator('ol.path.route').nth(0).locator('.chip').allTextContents(), [
    '(global)',
    'process',
    '_events',
    'uncaughtException',
    '0',
    'bound_this',
    'logger',
  ]);
  assert.equal(await card.locator('ol.path.route .chip.owner').count(), 0);
  assert.equal(
    await card.locator('ol.path.route').nth(0).getAttribute('aria-label'),
    'Retention route 2 of (concatenated string), from its root to the object',
  );
  assert.deepEqual(await card.locator('ol.path.route').nth(1).locator('.chip').allTextContents(), [
    '(global)',
    hostile,
    'abc123',
  ]);
  assert.equal(
    await card
      .locator('.section-label')
      .allTextContents()
      .then((labels) => labels.join(' | ')),
    'Retainer path | Also retained through',
  );
  // A container without an owner; one route only (none given) shows no "Also" section.
  const second = host.page.locator('details.suspect').nth(1);
  await second.locator('summary').click();
  assert.equal(await second.locator('.suspect-owner').textContent(), `in ${hostile}`);
  assert.equal(await second.getByText('Also retained through').count(), 0);
  assert.equal(await host.page.locator('#panel-suspects img').count(), 0);
  await host.page.waitForTimeout(100); // an injected onerror would fire by now
  assert.deepEqual(host.errors, []);
  await host.screenshot('suspects-routes');
});

test('Go to source with the keyboard posts openSource with the location', async () => {
  await host.send(init({ view: 'suspects', suspects: result }));
  await host.page
    .locator('details.suspect')
    .first()
    .getByRole('button', { name: 'Go to source' })
    .focus();
  await host.page.keyboard.press('Enter');
  const posted = await host.waitForPosted(
    (m): m is Extract<FromWebview, { type: 'openSource' }> => m.type === 'openSource',
    'openSource',
  );
  assert.deepEqual(posted.location, {
    file: '/work/exercises/user-sessions/app/user/server.js',
    line: 43,
    column: 3,
  });
  // A suspect without a location says why instead of offering a dead button.
  const unlocated = cardNamed('Object');
  await unlocated.locator('summary').focus();
  await host.page.keyboard.press('Enter');
  assert.equal(await unlocated.getByRole('button', { name: 'Go to source' }).count(), 0);
  assert.match((await unlocated.textContent()) ?? '', /No source location/);
});

test('suspects under 1% of the first are folded into one collapsed row', async () => {
  await host.send(init({ view: 'suspects', suspects: result }));
  // 3.1 MB and 50 KB (1.5%) stay in the list; 64 bytes go into the fold.
  assert.equal(await host.page.locator('.results-heading').textContent(), '2 leak suspects');
  assert.deepEqual(
    await host.page.locator('.suspect-list > details.suspect .suspect-name').allTextContents(),
    ['(array)', 'Object'],
  );
  const fold = host.page.locator('.minor-suspects');
  assert.equal(
    await fold.locator('> summary').textContent(),
    '1 smaller suspect64 B retained in all',
  );
  assert.equal(await fold.evaluate((d) => (d as HTMLDetailsElement).open), false);
  assert.equal(await fold.locator('details.suspect').isVisible(), false);
  await fold.locator('> summary').focus();
  await host.page.keyboard.press('Enter');
  assert.equal(await fold.locator('details.suspect').isVisible(), true);
  assert.match((await fold.locator('.minor-note').textContent()) ?? '', /less than 1%/);
  await host.screenshot('suspects-minor');
});

test("Find Leak's verdict stands above the suspects with its reason and advice, as text", async () => {
  const reason =
    'objects survive, but the heap did not grow at every rung: 640 B per request survived <b>';
  await host.send(
    init({
      view: 'suspects',
      suspects: {
        ...result,
        verdict: {
          verdict: 'inconclusive',
          reason,
          advice: 'Run longer for a firmer answer: 4000 requests per load (--count 4000).',
        },
      },
    }),
  );
  const verdict = host.page.locator('.suspects .verdict');
  assert.equal(await verdict.getAttribute('class'), 'verdict verdict-inconclusive');
  assert.equal(await verdict.locator('.verdict-title').textContent(), 'Inconclusive');
  assert.equal(await verdict.locator('.verdict-reason').textContent(), reason);
  assert.match((await verdict.locator('.verdict-advice').textContent()) ?? '', /--count 4000/);
  assert.equal(await verdict.locator('b').count(), 0, 'the reason is text, not markup');
  // The verdict comes first, then the suspects.
  assert.deepEqual(
    await host.page
      .locator('.suspects .verdict, .suspects .results-heading')
      .evaluateAll((all) => all.map((e) => e.className)),
    ['verdict verdict-inconclusive', 'results-heading'],
  );
  await host.screenshot('suspects-verdict');
  await host.send(
    init({
      view: 'suspects',
      suspects: {
        ...result,
        verdict: { verdict: 'leak', reason: 'what each load allocates stays alive' },
      },
    }),
  );
  assert.equal(await host.page.locator('.verdict-title').textContent(), 'Leak');
  assert.equal(await host.page.locator('.verdict-advice').count(), 0);
});

test('Find leaks asks for the last three ready snapshots and shows the answer', async () => {
  let release: (value: SuspectsResult) => void = () => undefined;
  host.respond('findLeaks', () => new Promise((resolve) => (release = resolve)));
  const four = snapshots({
    id: 'snap-4',
    label: 'S4',
    file: '/tmp/leakhunt/user-4.heapsnapshot',
    takenAt: Date.UTC(2026, 10, 23, 9, 5),
    sizeBytes: 20 * 1024 * 1024,
    state: 'ready',
  });
  await host.send(init({ view: 'suspects', snapshots: four }));
  assert.equal(await host.page.getByText('Take three snapshots').isVisible(), false);
  await host.page.getByRole('button', { name: 'Find leaks' }).click();
  const request = await host.waitForPosted(
    (m): m is Extract<FromWebview, { type: 'request' }> => m.type === 'request',
    'findLeaks',
  );
  assert.deepEqual(request.request, {
    method: 'findLeaks',
    params: { baselineId: 'snap-2', targetId: 'snap-3', finalId: 'snap-4' },
  });
  await host.page.getByRole('status').filter({ hasText: 'Finding leaks' }).waitFor();
  await host.screenshot('suspects-finding');
  release({
    baselineId: 'snap-2',
    targetId: 'snap-3',
    finalId: 'snap-4',
    suspects: diff.suspects.slice(0, 1),
  });
  await host.page.locator('details.suspect').first().waitFor();
  assert.equal(await host.page.getByRole('status').count(), 0);
  assert.equal(await host.page.locator('.results-heading').textContent(), '1 leak suspect');
});

test('a failed search is shown in place with its next step', async () => {
  host.respond('findLeaks', () => {
    throw new RespondWithError({
      message: 'S2 and S3 come from different processes: object ids do not match.',
      nextStep: 'Pick three snapshots of the same service run.',
    });
  });
  await host.send(init({ view: 'suspects' }));
  await host.page.getByRole('button', { name: 'Find leaks' }).click();
  const alert = host.page.locator('#panel-suspects [role=alert]');
  await alert.waitFor();
  assert.match((await alert.textContent()) ?? '', /different processes.*same service run/);
  assert.equal(await host.page.getByRole('button', { name: 'Find leaks' }).isEnabled(), true);
  await host.screenshot('suspects-error');
});

test('with fewer than three snapshots the view says what to do', async () => {
  await host.send(init({ view: 'suspects', snapshots: snapshots().slice(0, 2) }));
  const panel = host.page.locator('#panel-suspects');
  assert.equal(await panel.getByText('Take three snapshots to find leaks').isVisible(), true);
  assert.equal(await host.page.getByRole('button', { name: 'Find leaks' }).isVisible(), false);
  await host.screenshot('suspects-empty');
});
