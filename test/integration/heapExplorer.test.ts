// The Heap Explorer in a real VS Code, driven as a person drives it (workbenchDriver.mjs clicks
// inside the webview): open a snapshot of a small leaky script, expand a Summary class to an
// instance, select it, and from its Retainers pane click Go to source: the editor opens the
// script at the line that holds the object. Runs with the code-server host only (VSCODE_EXE).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { ask, click, screenshot, waitFor } from './workbench';

/**
 * Sessions kept in a module-level array, each captured by a closure made in `handle` (lines 4–8):
 * every Session is retained by that closure's context, which Go to source opens.
 */
const script = `'use strict';
class LeakedSession { constructor(id) { this.id = id; this.log = []; } }
const sessions = [];
function handle(id) {
  const session = new LeakedSession(id);
  session.onEnd = () => session.id;
  sessions.push(session);
}
for (let i = 0; i < 40; i++) handle(i);
require('v8').writeHeapSnapshot(process.argv[2]);
`;

suite('Heap Explorer in the workbench', () => {
  test('Summary class → instance → Retainers → Go to source lands on the line', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'leakhunt-explorer-'));
    const file = join(folder, 'leaky.js');
    const snapshot = join(folder, 'leaky.heapsnapshot');
    writeFileSync(file, script);
    execFileSync(process.execPath, [file, snapshot], { timeout: 60_000 });

    await vscode.commands.executeCommand('leakHunt.openHeapSnapshot', snapshot);
    // Node's own classes come first by retained size: filter, as a person would, by typing.
    click({ frameCss: '#summary-table-filter' });
    for (const key of 'LeakedSession') click({ key });
    const shown = await ask<{ found: boolean }>({ text: 'LeakedSession' });
    assert.ok(shown.found, 'the Summary lists the LeakedSession class');
    click({ frameCss: '#summary-table tr.row:has-text("LeakedSession")' });
    click({ key: 'ArrowRight' });
    click({ frameCss: '#summary-table tr.row[aria-level="2"]' });
    const pane = await ask<{ found: boolean }>({ text: 'Retainers of LeakedSession' });
    assert.ok(pane.found, 'the Retainers pane follows the selected instance');
    screenshot('heap-explorer-retainers');
    click({ frameCss: '#summary-retainers button.go-to-source' });

    await waitFor(
      'the editor on leaky.js',
      () => vscode.window.activeTextEditor?.document.uri.fsPath === file,
      40_000,
    );
    const line = vscode.window.activeTextEditor!.selection.active.line + 1;
    assert.ok(line >= 4 && line <= 8, `Go to source opened line ${line}, not one of handle's`);
    screenshot('heap-explorer-source');
  });
});
