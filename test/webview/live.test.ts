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
    '—',
  ]);
  // Samples that do not read buffer memory keep the Buffers legend out of sight.
  assert.equal(await card('user').locator('.legend-item').nth(2).isHidden(), true);
  assert.equal(await card('user').locator('.slope-value').textContent(), '4,216 B/request');
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

/**
 * How much of the plot's height the line drawn in `rgb` spans, 0..1: pixels of that colour
 * (within anti-aliasing) between the plot area's top and bottom.
 */
function verticalExtent(service: string, rgb: [number, number, number]): Promise<number> {
  return card(service).evaluate((element, colour) => {
    const canvas = element.querySelector('canvas')!;
    const over = element.querySelector('.u-over')!.getBoundingClientRect();
    const box = canvas.getBoundingClientRect();
    const scale = canvas.width / box.width;
    const top = Math.round((over.top - box.top) * scale);
    const height = Math.round(over.height * scale);
    const left = Math.round((over.left - box.left) * scale);
    const width = Math.round(over.width * scale);
    const data = canvas.getContext('2d')!.getImageData(left, top, width, height).data;
    let first = -1;
    let last = -1;
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        const near =
          Math.abs(data[i] - colour[0]) +
            Math.abs(data[i + 1] - colour[1]) +
            Math.abs(data[i + 2] - colour[2]) <
            30 && data[i + 3] > 200;
        if (!near) continue;
        if (first < 0) first = y;
        last = y;
        break;
      }
    return first < 0 ? 0 : (last - first) / height;
  }, rgb);
}

test('used heap and RSS have an axis each, so heap growth fills the chart', async () => {
  // Dark+ charts: blue for used heap, purple for RSS. Used heap grows 20 → 31.9 MB while RSS
  // sits at 60–74 MB: on one shared axis the heap line spanned a fifth of the height.
  const heap = await verticalExtent('user', [55, 148, 255]);
  const rss = await verticalExtent('user', [177, 128, 215]);
  assert.ok(heap > 0.6, `the used heap line spans ${Math.round(heap * 100)}% of the plot`);
  assert.ok(rss > 0.6, `the RSS line spans ${Math.round(rss * 100)}% of the plot`);
  // A flat heap stays flat: its axis is never narrower than a fifth of its value.
  const flat = await verticalExtent('catalogue', [55, 148, 255]);
  assert.ok(flat < 0.05, `the flat heap line spans ${Math.round(flat * 100)}% of the plot`);
});

test('the live figures say they are read before GC, unlike the leak check', async () => {
  assert.match(
    (await host.page.locator('.live-note').textContent()) ?? '',
    /before GC.*leak check and Find Leak measure after GC/,
  );
  assert.match(
    (await card('user').locator('.service-slope').textContent()) ?? '',
    /live, before GC/,
  );
  assert.match(
    (await card('user').locator('.service-slope').getAttribute('title')) ?? '',
    /after GC/,
  );
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
  assert.equal(await card('user').locator('.slope-value').textContent(), '3,900 B/request');
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

test('a Buffer leak shows in the Buffers series while the heap stays flat', async () => {
  const flatHeap = samples(0, 60).map((sample, i) => ({
    ...sample,
    usedHeap: 20 * MB,
    arrayBuffers: (1 + i * 2) * MB,
  }));
  await host.send(
    init({
      view: 'live',
      snapshots: [],
      services: [{ service: 'thumbs', state: 'running', samples: flatHeap, markers: [] }],
    }),
  );
  await card('thumbs').locator('canvas').waitFor();
  const buffers = card('thumbs').locator('.legend-item').nth(2);
  assert.equal(await buffers.isVisible(), true);
  assert.deepEqual(await buffers.locator('.legend-label, .legend-value').allTextContents(), [
    'Buffers',
    '119 MB',
  ]);
});
