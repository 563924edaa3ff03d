import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeHost } from './fakeHost';

let host: FakeHost;
before(async () => {
  host = await FakeHost.open();
});
after(async () => {
  await host?.close();
});

test('the page announces itself to the host once loaded', async () => {
  await host.page.waitForFunction(
    () => (window as unknown as { __posted: unknown[] }).__posted.length > 0,
  );
  assert.deepEqual(await host.posted(), [{ type: 'ready' }]);
});

test('a summary renders as a table, and a hostile class name stays text', async () => {
  const hostile = '<img src=x onerror=alert(1)>';
  await host.send({
    type: 'summary',
    title: 'Summary',
    rows: [
      { name: hostile, count: 3, selfSize: 96, retainedSize: 2048 },
      { name: 'Object', count: 1200, selfSize: 48_000, retainedSize: 5_000_000 },
    ],
  });
  await host.page.waitForSelector('table.grid tbody tr');
  const cells = await host.page.$$eval('table.grid tbody tr td.name', (tds) =>
    tds.map((td) => td.textContent),
  );
  assert.deepEqual(cells, [hostile, 'Object']);
  assert.equal(
    await host.page.locator('table.grid img').count(),
    0,
    'no element was created from the heap string',
  );
  assert.deepEqual(host.errors, []);
  if (process.env.WEBVIEW_SHOTS)
    await host.screenshot(`${process.env.WEBVIEW_SHOTS}/shell-summary.png`);
});

test('an error is shown in place with its next step', async () => {
  await host.send({
    type: 'error',
    message: 'The snapshot is truncated at byte 1024.',
    nextStep: 'Take the snapshot again.',
  });
  const alert = host.page.getByRole('alert');
  assert.match(
    (await alert.textContent()) ?? '',
    /truncated at byte 1024.*Take the snapshot again/,
  );
});
