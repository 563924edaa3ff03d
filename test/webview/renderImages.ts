/**
 * Renders the two images the package and the README ship, in the same headless Chromium the
 * webview tests use:
 *   - media/icons/leak-hunt-128.png, the marketplace icon, from media/icons/leak-hunt-marketplace.svg;
 *   - docs/images/heap-explorer.png, the Heap Explorer's Leak suspects for a real Find Leak on
 *     "User sessions" (test/webview/readme/user-sessions-hunt.json, from
 *     `leakhunt hunt exercises/user-sessions --json`, paths made a learner's).
 * Run after a build: `node esbuild.mjs && node esbuild.mjs --tests --out out-x &&
 * node out-x/test/webview/renderImages.js`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { HeapSample, ServiceSeries, SnapshotInfo } from '../../src/extension/protocol';
import type { HuntReport } from '../../src/hunt/types';
import { FakeHost } from './fakeHost';
import { init } from './fixtures';

const repoRoot = join(__dirname, '..', '..', '..');

async function renderIcon(): Promise<void> {
  const svg = readFileSync(join(repoRoot, 'media', 'icons', 'leak-hunt-marketplace.svg'), 'utf8');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 128, height: 128 } });
    await page.setContent(
      `<html><body style="margin:0;background:transparent">${svg}</body></html>`,
    );
    await page.screenshot({
      path: join(repoRoot, 'media', 'icons', 'leak-hunt-128.png'),
      omitBackground: true,
      clip: { x: 0, y: 0, width: 128, height: 128 },
    });
  } finally {
    await browser.close();
  }
}

/** Used heap and RSS of one service over `minutes`, sampled every two seconds. */
function series(
  service: string,
  start: number,
  minutes: number,
  heapMb: (t: number) => number,
  rssMb: (t: number) => number,
): ServiceSeries {
  const MB = 1024 * 1024;
  const samples: HeapSample[] = Array.from({ length: (minutes * 60) / 2 }, (_, i) => {
    const t = i * 2;
    return {
      time: start + t * 1000,
      usedHeap: heapMb(t) * MB,
      totalHeap: (heapMb(t) + 6) * MB,
      rss: rssMb(t) * MB,
    };
  });
  return { service, state: 'running', samples, markers: [] };
}

async function renderHeapExplorer(): Promise<void> {
  const hunt = JSON.parse(
    readFileSync(join(repoRoot, 'test', 'webview', 'readme', 'user-sessions-hunt.json'), 'utf8'),
  ) as HuntReport;
  const start = Date.UTC(2026, 10, 23, 9, 0, 0);
  const labels = ['Baseline', 'Target', 'Final'];
  const snapshots: SnapshotInfo[] = hunt.snapshots.map((file, i) => ({
    id: file,
    file,
    label: labels[i]!,
    takenAt: start + (40 + i * 12) * 1000,
    sizeBytes: [29.3, 51.5, 73.7][i]! * 1024 * 1024,
    service: hunt.service,
    state: 'ready',
  }));
  // The GC sawtooth of a service under load: what each load allocates, collected now and then.
  const sawtooth = (t: number, period: number, height: number): number =>
    ((t % period) / period) * height;
  const host = await FakeHost.open({ theme: 'dark' });
  try {
    await host.page.setViewportSize({ width: 1100, height: 450 });
    await host.waitForPosted((m) => m.type === 'ready', 'ready');
    await host.send(
      init({
        title: 'Heap Explorer',
        view: 'suspects',
        snapshots,
        services: [
          series(
            'user',
            start,
            2,
            (t) => 4 + Math.min(t, 80) * 0.25 + sawtooth(t, 14, 3),
            (t) => 46 + Math.min(t, 80) * 0.4,
          ),
          series(
            'catalogue',
            start,
            2,
            (t) => 4.4 + sawtooth(t, 10, 1.5),
            () => 47,
          ),
          series(
            'web',
            start,
            2,
            (t) => 5.2 + sawtooth(t, 8, 2.5),
            () => 52,
          ),
        ],
        suspects: {
          baselineId: snapshots[0]!.id,
          targetId: snapshots[1]!.id,
          finalId: snapshots[2]!.id,
          suspects: hunt.suspects,
          verdict: { verdict: hunt.verdict, reason: hunt.reason },
        },
        load: 'idle',
      }),
    );
    await host.page.locator('details.suspect').first().waitFor();
    await host.page.evaluate(() => document.fonts.ready);
    await host.page.screenshot({ path: join(repoRoot, 'docs', 'images', 'heap-explorer.png') });
    if (host.errors.length > 0) throw new Error(`the page reported: ${host.errors.join('; ')}`);
  } finally {
    await host.close();
  }
}

void (async () => {
  await renderIcon();
  await renderHeapExplorer();
})().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
