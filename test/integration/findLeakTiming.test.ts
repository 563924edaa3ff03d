import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LeakHuntApi } from '../../src/extension/api';
import type { SuspectsResult } from '../../src/extension/protocol';

/** The shim saves a workbench screenshot when a test logs this marker. */
function screenshot(label: string): void {
  console.log(`__screenshot__:${label}`);
}

// Find Leak with the exercise's own load profile in the real workbench, timed phase by phase, to
// hold against `leakhunt hunt exercises/user-sessions` on the same machine at the same time.
suite('Find Leak on "User sessions", timed', () => {
  test('runs the hunt on the live services and finds the leak', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test window has a workspace folder');
    const extension = vscode.extensions.getExtension<LeakHuntApi>('leak-hunt.leak-hunt');
    assert.ok(extension);
    const api = await extension.activate();
    const phases: string[] = [];
    const info = api.services.log.info;
    api.services.log.info = (tag, message) => {
      if (/^Find Leak: (load|warming|\d+ req\/s|done)/.test(message)) phases.push(message);
      info(tag, message);
    };
    await vscode.commands.executeCommand('leakHunt.openExercise', {
      exerciseId: 'user-sessions',
      destination: folder.uri.fsPath,
      open: 'none',
    });
    await vscode.commands.executeCommand('leakHunt.startServices');
    try {
      const started = performance.now();
      const result = await vscode.commands.executeCommand<SuspectsResult>('leakHunt.findLeak');
      const elapsed = (performance.now() - started) / 1000;
      console.log(`[measure] find leak (load profile): ${elapsed.toFixed(1)} s`);
      for (const phase of phases) console.log(`[measure]   ${phase}`);
      assert.equal(result?.verdict?.verdict, 'leak');
      screenshot('find-leak');
    } finally {
      await vscode.commands.executeCommand('leakHunt.stopServices');
    }
  });
});
