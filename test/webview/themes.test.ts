import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HeapSample, SuspectsResult } from '../../src/extension/protocol';
import {
  backgroundLayers,
  contrastRatio,
  flatten,
  lowContrast,
  over,
  parseColor,
  themeVariable,
  visibleText,
} from './contrast';
import { FakeHost, type ThemeName } from './fakeHost';
import { answers, diff, init, summary } from './fixtures';
import { heapAnswers, sessionClass, sessionSummary, sessions } from './heapFixture';

// The main views in each of VS Code's theme kinds, with the variable values real VS Code injects
// (test/webview/themes, test/fixtures/webview/theme-dark.css). WEBVIEW_SHOTS keeps screenshots.

const MB = 1024 * 1024;
const start = Date.UTC(2026, 10, 23, 9, 0, 0);
const samples: HeapSample[] = Array.from({ length: 120 }, (_, t) => ({
  time: start + t * 1000,
  usedHeap: (20 + t * 0.1) * MB,
  totalHeap: (32 + t * 0.1) * MB,
  rss: (60 + t * 0.12) * MB,
}));
const suspects: SuspectsResult = {
  baselineId: 'snap-1',
  targetId: 'snap-2',
  finalId: 'snap-3',
  suspects: diff.suspects,
};

/** What a chart drew as text: uPlot's axis values and the snapshot marker labels. */
interface DrawnText {
  text: string;
  fillStyle: string;
}
type CanvasLog = { __drawnText: DrawnText[] };

/** Records every `fillText` on a canvas (and still draws it), so tests can read chart colours. */
function recordCanvasText(): void {
  const log: CanvasLog = { __drawnText: [] };
  Object.assign(window, log);
  const fillText = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (text, x, y, maxWidth) {
    log.__drawnText.push({ text: String(text), fillStyle: String(this.fillStyle) });
    fillText.call(this, text, x, y, maxWidth);
  };
}

const kinds: { theme: ThemeName; label: string; highContrast: boolean }[] = [
  { theme: 'dark', label: 'Dark+', highContrast: false },
  { theme: 'light', label: 'Light+', highContrast: false },
  { theme: 'highContrast', label: 'Dark High Contrast', highContrast: true },
  { theme: 'highContrastLight', label: 'Light High Contrast', highContrast: true },
];

for (const { theme, label, highContrast } of kinds) {
  describe(`${label} theme`, () => {
    let host: FakeHost;
    const shot = (view: string): Promise<void> => host.screenshot(`theme-${theme}-${view}`);

    before(async () => {
      host = await FakeHost.open({ theme });
      host.respond('summaryPage', answers.summaryPage([...summary.classes, sessionSummary]));
      host.respond('comparisonPage', answers.comparisonPage(diff.classes));
      for (const [method, answer] of Object.entries(heapAnswers))
        host.respond(method as keyof typeof heapAnswers, answer as never);
      await host.page.addInitScript(recordCanvasText);
      await host.reload();
      await host.waitForPosted((m) => m.type === 'ready', 'ready');
      await host.send(
        init({
          view: 'summary',
          suspects,
          services: [
            {
              service: 'user',
              state: 'running',
              samples,
              markers: [
                { time: start + 30_000, snapshotId: 'snap-1', label: 'S1' },
                { time: start + 90_000, snapshotId: 'snap-2', label: 'S2' },
              ],
              bytesPerRequest: 4216,
            },
          ],
        }),
      );
    });
    after(async () => {
      await host?.close();
    });

    async function showTab(name: string): Promise<void> {
      await host.page.getByRole('tab', { name }).click();
      await host.page.mouse.move(0, 0);
    }

    /** Table text, first as it is, then with the pointer on the first row. */
    async function assertTableContrast(table: string): Promise<void> {
      const rows = host.page.locator(`${table} tbody tr.row`);
      await rows.first().waitFor();
      const tableView = host.page.locator('.tree-view').filter({ has: host.page.locator(table) });
      assert.deepEqual(lowContrast(await visibleText(tableView)), [], `${table} text`);
      await rows.first().hover();
      assert.deepEqual(lowContrast(await visibleText(rows.first())), [], `${table} hovered row`);
      await host.page.mouse.move(0, 0);
    }

    test('Summary: header, toolbar and table text have 4.5:1 contrast', async () => {
      await showTab('Summary');
      await assertTableContrast('#summary-table');
      assert.deepEqual(
        lowContrast(await visibleText(host.page.locator('.explorer-header'))),
        [],
        'header',
      );
      await shot('summary');
    });

    test('Summary expanded: instances, properties, previews, retainers and frames have 4.5:1 contrast', async () => {
      await showTab('Summary');
      const rowWith = (table: string, text: string) =>
        host.page.locator(`${table} tbody tr.row`, { hasText: text }).first();
      await rowWith('#summary-table', sessionClass).click();
      await host.page.keyboard.press('ArrowRight');
      await rowWith('#summary-table', `@${sessions[0].id}`).click();
      await host.page.keyboard.press('ArrowRight');
      await rowWith('#summary-table', 'assignedId ::').waitFor();
      await host.page.locator('#summary-retainers tbody tr.row').first().waitFor();
      await host.page.locator('.allocation-stack .frame-link').first().waitFor();
      await host.page.mouse.move(0, 0);
      // The focused, selected instance row included: selection colours are the theme's.
      assert.deepEqual(lowContrast(await visibleText(host.page.locator('#panel-summary'))), []);
      await shot('summary-expanded');
      // Leave the table as the other tests expect it: the class collapsed.
      await rowWith('#summary-table', sessionClass).click();
      await host.page.keyboard.press('ArrowLeft');
    });

    test('Statistics: kind labels, sizes and treemap captions have 4.5:1 contrast', async () => {
      await showTab('Statistics');
      await host.page.locator('svg.treemap text').first().waitFor();
      assert.deepEqual(lowContrast(await visibleText(host.page.locator('.kind-bars'))), []);
      await shot('statistics');
    });

    test('Comparison: growth and shrinkage stay readable as table text', async () => {
      await showTab('Comparison');
      await host.page.locator('#comparison-table td.grew').first().waitFor();
      assert.ok(await host.page.locator('#comparison-table td.shrank').count(), 'a shrinking row');
      await assertTableContrast('#comparison-table');
      await shot('comparison');
    });

    test('Leak suspects: cards, retainer path chips and the location have 4.5:1 contrast', async () => {
      await showTab('Leak suspects');
      const first = host.page.locator('details.suspect').first();
      assert.equal(await first.locator('.path .chip').count(), 5, 'the retainer path is shown');
      assert.deepEqual(lowContrast(await visibleText(host.page.locator('#panel-suspects'))), []);
      // The chip of the object holding the leak is marked by its border, in every theme.
      const borderOf = (chip: ReturnType<typeof first.locator>): Promise<string> =>
        chip.evaluate((node) => getComputedStyle(node).borderTopColor);
      const owner = parseColor(await borderOf(first.locator('.chip.owner')));
      assert.notDeepEqual(
        owner,
        parseColor(await borderOf(first.locator('.chip').first())),
        'the owner chip has a border of its own',
      );
      const card = flatten(await backgroundLayers(first));
      assert.ok(contrastRatio(owner, card) >= 3, 'the owner chip’s border shows on the card');
      if (highContrast) {
        // VS Code draws high-contrast widgets with borders, not fills.
        const border = parseColor(
          (await themeVariable(host.page, '--vscode-contrastBorder')) ?? '',
        );
        for (const box of [first, first.locator('.chip').first()])
          assert.deepEqual(
            parseColor(await box.evaluate((node) => getComputedStyle(node).borderTopColor)),
            border,
          );
      }
      await shot('suspects');
    });

    test('Live: chart text is drawn in theme colours that read on the card', async () => {
      await host.page.evaluate(() => ((window as unknown as CanvasLog).__drawnText.length = 0));
      await showTab('Live');
      const card = host.page.locator('.service-card[data-service=user]');
      await card.locator('canvas').first().waitFor();
      await host.page.waitForFunction(() =>
        (window as unknown as CanvasLog).__drawnText.some((d) => d.text === 'S2'),
      );
      const drawn = await host.page.evaluate(() => (window as unknown as CanvasLog).__drawnText);
      const texts = drawn.map((d) => d.text);
      assert.ok(
        texts.some((t) => / MB$/.test(t)),
        `MB axis labels drawn: ${texts.join(', ')}`,
      );
      assert.ok(texts.includes('S1'), 'marker labels drawn');
      const background = flatten(await backgroundLayers(card.locator('.plot')));
      const unreadable = drawn
        .map((d) => ({
          ...d,
          ratio: contrastRatio(over(parseColor(d.fillStyle), background), background),
        }))
        .filter((d) => d.ratio < 4.5)
        .map((d) => `${d.text} in ${d.fillStyle}: ${d.ratio.toFixed(2)}:1`);
      assert.deepEqual([...new Set(unreadable)], []);
      // The colours are the theme's chart colours, not fixed ones.
      const chartText = parseColor((await themeVariable(host.page, '--vscode-charts-foreground'))!);
      assert.deepEqual(
        [...new Set(drawn.map((d) => JSON.stringify(parseColor(d.fillStyle))))],
        [JSON.stringify(chartText)],
      );
      const swatches = await card
        .locator('.swatch')
        .evaluateAll((nodes) => nodes.map((node) => getComputedStyle(node).backgroundColor));
      assert.deepEqual(swatches.map(parseColor), [
        parseColor((await themeVariable(host.page, '--vscode-charts-blue'))!),
        parseColor((await themeVariable(host.page, '--vscode-charts-purple'))!),
        parseColor((await themeVariable(host.page, '--vscode-charts-green'))!),
      ]);
      // Lines are graphics: the series need 3:1 against the card (WCAG 1.4.11).
      for (const variable of [
        '--vscode-charts-blue',
        '--vscode-charts-purple',
        '--vscode-charts-green',
      ]) {
        const line = parseColor((await themeVariable(host.page, variable)) ?? '');
        assert.ok(contrastRatio(line, background) >= 3, `${variable} on the card`);
      }
      await shot('live');
    });

    test('keyboard focus shows an unclipped outline in the theme’s focus colour', async () => {
      // VS Code's focus colour; high contrast themes use contrastActiveBorder (the same value).
      const focus = parseColor(
        (highContrast && (await themeVariable(host.page, '--vscode-contrastActiveBorder'))) ||
          ((await themeVariable(host.page, '--vscode-focusBorder')) ?? ''),
      );
      const page = host.page;
      const targets = {
        Summary: [
          page.getByRole('tab', { name: 'Summary' }),
          page.getByRole('button', { name: 'Take snapshot' }),
          page.getByRole('button', { name: 'S2', exact: true }),
          page.locator('#summary-snapshot'),
          page.getByRole('searchbox', { name: /filter classes/i }),
          page.getByRole('columnheader', { name: 'Count' }).getByRole('button'),
          page.locator('#summary-table tbody tr.row').first(),
        ],
        'Leak suspects': [
          page.locator('#suspects-baseline'),
          page.getByRole('button', { name: 'Find leaks' }),
          page.locator('details.suspect summary').first(),
          page.getByRole('button', { name: 'Go to source' }).first(),
        ],
      };
      const problems: string[] = [];
      for (const [tab, locators] of Object.entries(targets)) {
        await showTab(tab);
        for (const target of locators) {
          // A key press first: Chromium shows :focus-visible for focus that follows the keyboard.
          await page.keyboard.press('Shift');
          await target.focus();
          const seen = await target.evaluate((node) => {
            const style = getComputedStyle(node);
            const width = parseFloat(style.outlineWidth);
            const offset = parseFloat(style.outlineOffset);
            // Where the outline reaches, and the first scrolling ancestor that cuts it off.
            const box = node.getBoundingClientRect();
            const reach = Math.max(0, offset + width);
            let clippedBy: string | undefined;
            for (let up = node.parentElement; up && !clippedBy; up = up.parentElement) {
              const upStyle = getComputedStyle(up);
              if (upStyle.overflowX === 'visible' && upStyle.overflowY === 'visible') continue;
              const clip = up.getBoundingClientRect();
              const left = clip.left + up.clientLeft;
              const top = clip.top + up.clientTop;
              if (
                box.left - reach < left - 0.5 ||
                box.top - reach < top - 0.5 ||
                box.right + reach > left + up.clientWidth + 0.5 ||
                box.bottom + reach > top + up.clientHeight + 0.5
              )
                clippedBy = `${up.tagName.toLowerCase()}.${up.className}`;
            }
            return {
              name: node.id || node.getAttribute('aria-label') || node.textContent || node.tagName,
              visible: node.matches(':focus-visible'),
              style: style.outlineStyle,
              width,
              offset,
              color: style.outlineColor,
              clippedBy,
            };
          });
          // Drawn outside, the outline is seen on the parent's background; inside, on its own.
          const behind = flatten(
            await backgroundLayers(target, seen.offset >= 0 ? 'parent' : 'element'),
          );
          const outline = parseColor(seen.color);
          const name = `${tab}: ${seen.name.trim().slice(0, 30)}`;
          if (!seen.visible || seen.style === 'none' || seen.width < 1)
            problems.push(`${name}: no outline (${seen.style} ${seen.width}px)`);
          else if (JSON.stringify(outline) !== JSON.stringify(focus))
            problems.push(`${name}: outline ${seen.color}, not the focus colour`);
          else if (contrastRatio(outline, behind) < 3)
            problems.push(
              `${name}: outline ${contrastRatio(outline, behind).toFixed(2)}:1 on its background`,
            );
          else if (seen.clippedBy) problems.push(`${name}: outline cut off by ${seen.clippedBy}`);
        }
      }
      assert.deepEqual(problems, []);
      await showTab('Summary');
      await page.keyboard.press('Shift');
      await page.locator('#summary-snapshot').focus();
      await shot('focus');
    });
  });
}
