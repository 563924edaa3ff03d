import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { HeapSample } from '../../src/extension/protocol';
import { FakeHost } from './fakeHost';
import { init, snapshots } from './fixtures';

const MB = 1024 * 1024;
const start = Date.UTC(2026, 10, 23, 9, 0, 0);

/** One sample a second; used heap climbs 0.1 MB a second (the leak), RSS follows. */
function samples(from: number, count: number): HeapSample[] {
  return Array.from({ length: count }, (_, i) => {
    const t = from + i;
    return {
      time: start + t * 1000,
      usedHeap: (20 + t * 0.1) * MB,
      totalHeap: (32 + t * 0.1) * MB,
      rss: (60 + t * 0.12) * MB,
    };
  });
}

let host: FakeHost;
before(async () => {
  host = await FakeHost.open();
  await host.waitForPosted((m) => m.type === 'ready', 'ready');
});
after(async () => {
  await host?.close();
});

function card(service: string) {
  return host.page.locator(`.service-card[data-service="${service}"]`);
}

test('a chart per service with its legend values, state, slope and snapshot markers', async () => {
  await host.send(
    init({
      view: 'live',
      snapshots: snapshots(),
      services: [
        {
          service: 'user',
          state: 'running',
          samples: samples(0, 120),
          markers: [
            { time: start + 30_000, snapshotId: 'snap-1', label: 'S1' },
            { time: start + 90_000, snapshotId: 'snap-2', label: 'S2' },
          ],
          bytesPerRequest: 4216,
        },
        {
          service: 'catalogue',
          state: 'running',
          samples: samples(0, 120).map((s) => ({ ...s, usedHeap: 12 * MB, rss: 48 * MB })),
          markers: [],
        },
        { service: 'web', state: 'crashed', samples: [], markers: [] },
      ],
    }),
  );
  await card('user').locator('canvas').waitFor();
  assert.equal(
    await host.page.locator('.service-card canvas').count(),
    2,
    'one chart per service with samples',
  );
  assert.deepEqual(await card('user').locator('.legend-value').allTextContents(), [
    '31.9 MB',
    '74.3 MB',
  ]);
  assert.equal(await card('user').locator('.slope-value').textContent(), '4,216 bytes/request');
  assert.match((await card('web').locator('.service-state').textContent()) ?? '', /crashed/);
  assert.match(
    (await card('catalogue').locator('.service-slope').textContent()) ?? '',
    /measuring/,
  );
  assert.deepEqual(await card('user').locator('.marker-label').allTextContents(), ['S1', 'S2']);
  // uPlot drew something: the canvas is not blank.
  const painted = await card('user')
    .locator('canvas')
    .evaluate((canvas: HTMLCanvasElement) => {
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let opaque = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) opaque++;
      return opaque;
    });
  assert.ok(painted > 1000, `canvas painted ${painted} pixels`);
  await host.screenshot('live');
});

test('appended samples, markers and service updates show up', async () => {
  await host.send({ type: 'samples', service: 'user', samples: samples(120, 60) });
  await host.send({
    type: 'marker',
    service: 'user',
    marker: { time: start + 150_000, snapshotId: 'snap-3', label: 'S3' },
  });
  await host.send({ type: 'service', service: 'user', state: 'stopped', bytesPerRequest: 3900 });
  await host.page.waitForFunction(
    () =>
      document.querySelector('.service-card[data-service="user"] .legend-value')?.textContent ===
      '37.9 MB',
  );
  assert.deepEqual(await card('user').locator('.marker-label').allTextContents(), [
    'S1',
    'S2',
    'S3',
  ]);
  assert.equal(await card('user').locator('.slope-value').textContent(), '3,900 bytes/request');
  assert.match((await card('user').locator('.service-state').textContent()) ?? '', /stopped/);
  // Hovering the chart shows the values under the cursor; leaving it, the newest again.
  const over = card('user').locator('.u-over');
  const box = (await over.boundingBox())!;
  await host.page.mouse.move(box.x + 2, box.y + box.height / 2);
  await host.page.waitForFunction(
    () =>
      document.querySelector('.service-card[data-service="user"] .legend-value')?.textContent ===
      '20 MB',
  );
  await host.page.mouse.move(box.x + box.width / 2, box.y + box.height + 80);
  await host.page.waitForFunction(
    () =>
      document.querySelector('.service-card[data-service="user"] .legend-value')?.textContent ===
      '37.9 MB',
  );
  // A service the page has not seen yet gets its own chart.
  await host.send({ type: 'samples', service: 'worker', samples: samples(0, 10) });
  await card('worker').locator('canvas').waitFor();
});

test('bursts beyond the ring buffer’s hour of samples still show the newest value', async () => {
  // 4,000 more one-second samples in bursts, as the host sends them.
  for (let from = 200; from < 4200; from += 500)
    await host.send({ type: 'samples', service: 'catalogue', samples: samples(from, 500) });
  await host.page.waitForFunction(
    () =>
      document.querySelector('.service-card[data-service="catalogue"] .legend-value')
        ?.textContent === '439.9 MB',
  );
  assert.deepEqual(host.errors, []);
});

test('a theme change recolours the charts from the new --vscode-charts-* values', async () => {
  const swatch = card('user').locator('.swatch').first();
  assert.equal(
    await swatch.evaluate((node) => getComputedStyle(node).backgroundColor),
    'rgb(55, 148, 255)',
  );
  // What VS Code does on a theme switch: new variables on <html>, a new class on <body>.
  await host.page.evaluate(() => {
    document.documentElement.style.setProperty('--vscode-charts-blue', 'rgb(0, 90, 158)');
    document.body.classList.replace('vscode-dark', 'vscode-light');
  });
  await host.page.waitForFunction(
    () =>
      getComputedStyle(document.querySelector('.service-card[data-service="user"] .swatch')!)
        .backgroundColor === 'rgb(0, 90, 158)',
  );
  assert.equal(await card('user').locator('canvas').count(), 1, 'the chart was redrawn, not lost');
});

test('a theme switch within the same kind (Dark+ to Dark Modern) recolours the charts too', async () => {
  // Only the variables change: the body keeps its class.
  await host.page.evaluate(() =>
    document.documentElement.style.setProperty('--vscode-charts-blue', 'rgb(0, 120, 212)'),
  );
  await host.page.waitForFunction(
    () =>
      getComputedStyle(document.querySelector('.service-card[data-service="user"] .swatch')!)
        .backgroundColor === 'rgb(0, 120, 212)',
  );
});

test('with no live session the Live tab says how to start one', async () => {
  await host.send(init({ view: 'live', services: [], canRun: false }));
  assert.match(
    (await host.page.locator('#panel-live').textContent()) ?? '',
    /No live session.*Start the services/,
  );
  await host.screenshot('live-empty');
});
