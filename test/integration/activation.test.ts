import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { commandIds } from '../../src/extension/commandIds';

const extensionId = 'leak-hunt.leak-hunt';

/** The shim saves a workbench screenshot when a test logs this marker. */
function screenshot(label: string): void {
  console.log(`__screenshot__:${label}`);
}

suite('Leak Hunt activation', () => {
  test('activates lazily and reports how long activation took', async () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension, `${extensionId} is installed in the test instance`);
    assert.equal(extension.isActive, false, 'nothing activates Leak Hunt before it is used');
    const started = performance.now();
    await extension.activate();
    const elapsed = performance.now() - started;
    console.log(`[measure] activation: ${elapsed.toFixed(1)} ms`);
    assert.equal(extension.isActive, true);
  });

  test('every command in the manifest is registered, and the manifest lists every command', async () => {
    const manifest = JSON.parse(
      readFileSync(
        join(vscode.extensions.getExtension(extensionId)!.extensionPath, 'package.json'),
        'utf8',
      ),
    ) as { contributes: { commands: { command: string }[] } };
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(contributed, [...commandIds].sort());
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const id of contributed) assert.ok(registered.has(id), `${id} is registered`);
  });

  test('the Leak Hunt view container opens with the Exercises view', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.leakHunt');
    await vscode.commands.executeCommand('leakHunt.exercises.focus');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    screenshot('view-container');
  });
});
