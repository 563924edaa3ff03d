/**
 * Renders the two images the package and the README ship, in the same headless Chromium the
 * webview tests use:
 *   - media/icons/leak-hunt-128.png, the marketplace icon, from media/icons/leak-hunt-marketplace.svg;
 *   - docs/images/heap-explorer.png, the Heap Explorer's Leak suspects for a real Find Leak on
 *     "User sessions" (test/webview/readme/user-sessions-hunt.json, from
 *     `leakhunt hunt exercises/user-sessions --json`, paths made a learner's).
 *   - docs/images/explorer-<view>-<theme>.png, the object views (Summary expanded with its
 *     Retainers pane, Comparison, Dominators, Statistics) over the fixture heap of
 *     test/webview/heapFixture.ts, in Dark+ and Light+ (every view and theme goes to
 *     $WEBVIEW_SHOTS too, when set, for review).
 * Run after a build: `node esbuild.mjs && node esbuild.mjs --tests --out out-x &&
 * node out-x/test/webview/renderImages.js [explorer]`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { HeapSample, ServiceSeries, SnapshotInfo } from '../../src/extension/protocol';
import type { HuntReport } from '../../src/hunt/types';
import { FakeHost, type ThemeName } from './fakeHost';
import { answers, diff, init, summary } from './fixtures';
import { heapAnswers, sessionClass, sessionDelta, sessionSummary, sessions } from './heapFixture';

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

/** The views the docs show, and which of them go to docs/images in which theme. */
const explorerViews = ['summary', 'comparison', 'containment', 'dominators', 'statistics'] as const;
const shipped: Record<ThemeName, readonly string[]> = {
  dark: ['summary', 'comparison', 'dominators'],
  light: ['summary', 'statistics'],
  highContrast: [],
  highContrastLight: [],
};

async function renderExplorerViews(theme: 'dark' | 'light'): Promise<void> {
  const host = await FakeHost.open({ theme });
  try {
    await host.page.setViewportSize({ width: 1100, height: 640 });
    host.respond('summaryPage', answers.summaryPage([sessionSummary, ...summary.classes]));
    host.respond('comparisonPage', answers.comparisonPage([sessionDelta, ...diff.classes]));
    for (const [method, answer] of Object.entries(heapAnswers))
      host.respond(method as keyof typeof heapAnswers, answer as never);
    await host.waitForPosted((m) => m.type === 'ready', 'ready');
    await host.send(init({ view: 'summary' }));
    const page = host.page;
    const rowWith = (table: string, text: string) =>
      page.locator(`#${table} tbody tr.row`, { hasText: text }).first();
    const expand = async (table: string, text: string): Promise<void> => {
      await rowWith(table, text).click();
      await page.keyboard.press('ArrowRight');
    };
    for (const view of explorerViews) {
      await page.getByRole('tab', { name: view[0].toUpperCase() + view.slice(1) }).click();
      if (view === 'summary') {
        await expand('summary-table', sessionClass);
        await expand('summary-table', `@${sessions[0].id}`);
        await rowWith('summary-table', 'assignedId ::').waitFor();
        await expand('summary-retainers', '[0] ::');
        await rowWith('summary-retainers', 'table ::').waitFor();
        await page.locator('.allocation-stack .frame-link').first().waitFor();
        await rowWith('summary-table', `@${sessions[0].id}`).focus();
      } else if (view === 'comparison') {
        await expand('comparison-table', sessionClass);
        await expand('comparison-table', 'New objects');
        await rowWith('comparison-table', `@${sessions[0].id}`).click();
        await page.locator('#comparison-retainers tbody tr.row').first().waitFor();
      } else if (view === 'containment') {
        await expand('containment-table', '(module service.js)');
        await rowWith('containment-table', 'activeSessionsCache').waitFor();
      } else if (view === 'dominators') {
        await expand('dominators-table', 'global @3');
        await expand('dominators-table', 'handleRequest');
        await rowWith('dominators-table', 'system / Context').click();
        await page.locator('#dominators-retainers tbody tr.row').first().waitFor();
      } else {
        await page.locator('svg.treemap text').first().waitFor();
      }
      await page.mouse.move(0, 0);
      await page.evaluate(() => document.fonts.ready);
      await host.screenshot(`explorer-${view}-${theme}`);
      if (shipped[theme].includes(view))
        await page.screenshot({
          path: join(repoRoot, 'docs', 'images', `explorer-${view}-${theme}.png`),
        });
    }
    if (host.errors.length > 0) throw new Error(`the page reported: ${host.errors.join('; ')}`);
  } finally {
    await host.close();
  }
}

// `renderImages.js explorer` renders the explorer views only (the icon and README image stay).
void (async () => {
  if (process.argv[2] !== 'explorer') {
    await renderIcon();
    await renderHeapExplorer();
  }
  await renderExplorerViews('dark');
  await renderExplorerViews('light');
})().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
