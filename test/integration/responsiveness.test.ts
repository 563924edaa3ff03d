import * as assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { LeakHuntApi } from '../../src/extension/api';

// A measurement, run on demand: LEAKHUNT_BIG_SNAPSHOT=/path/to/500MiB.heapsnapshot npx vscode-test --label responsiveness
// It opens the file the way the Heap Explorer does (through the heap worker) and records how long
// the extension host's event loop is held up meanwhile. Nothing is asserted about the time.
suite('The editor stays responsive while a big snapshot is parsed', () => {
  test('extension-host event-loop delay during the parse', async function () {
    const file = process.env.LEAKHUNT_BIG_SNAPSHOT;
    if (!file) return this.skip();
    const api = await vscode.extensions
      .getExtension<LeakHuntApi>('leak-hunt.leak-hunt')!
      .activate();
    const delay = monitorEventLoopDelay({ resolution: 10 });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 100);
    delay.enable();
    const started = performance.now();
    const page = await api.services.heap.summaryPage(file, {
      sort: { column: 'retainedSize', descending: true },
      filter: '',
      start: 0,
      count: 50,
    });
    const seconds = (performance.now() - started) / 1000;
    delay.disable();
    clearInterval(ticker);
    assert.ok(page.total > 0);
    const mib = statSync(file).size / 2 ** 20;
    console.log(
      `[measure] parse of ${mib.toFixed(0)} MiB in the heap worker: ${seconds.toFixed(1)} s; extension host event-loop delay p50 ${(delay.percentile(50) / 1e6).toFixed(0)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(0)} ms, max ${(delay.max / 1e6).toFixed(0)} ms; 100 ms ticker fired ${ticks} of ${Math.floor(seconds * 10)} times`,
    );
  });
});
