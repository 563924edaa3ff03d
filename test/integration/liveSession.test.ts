import * as assert from 'node:assert/strict';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { LeakHuntApi } from '../../src/extension/api';

/** The shim saves a workbench screenshot when a test logs this marker. */
function screenshot(label: string): void {
  console.log(`__screenshot__:${label}`);
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// The live session in the real workbench: snapshot labels, the restart prompt after a code
// change, and the changed views in a dark and a light theme. (Find Leak's timing has a launch of
// its own, findLeakTiming.test.ts: the harness gives one launch three minutes.)
suite('The live session on "User sessions"', () => {
  let api: LeakHuntApi;
  let workspace: string;
  /** What the extension logged, from the moment the suite began. */
  const logged: string[] = [];

  suiteSetup(async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test window has a workspace folder');
    workspace = folder.uri.fsPath;
    const extension = vscode.extensions.getExtension<LeakHuntApi>('leak-hunt.leak-hunt');
    assert.ok(extension);
    api = await extension.activate();
    const info = api.services.log.info;
    api.services.log.info = (tag, message) => {
      logged.push(message);
      info(tag, message);
    };
    await vscode.commands.executeCommand('leakHunt.openExercise', {
      exerciseId: 'user-sessions',
      destination: workspace,
      open: 'none',
    });
    const names = await vscode.commands.executeCommand<string[]>('leakHunt.startServices');
    assert.deepEqual([...(names ?? [])].sort(), ['catalogue', 'user', 'web']);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('leakHunt.stopServices');
    await vscode.workspace
      .getConfiguration('workbench')
      .update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
  });

  test('a snapshot’s label does not repeat its service', async () => {
    const id = await vscode.commands.executeCommand<string>('leakHunt.takeSnapshot', {
      service: 'user',
    });
    const info = api.services.snapshots.list().find((snapshot) => snapshot.id === id);
    assert.equal(info?.label, 'Snapshot 1');
    assert.equal(info?.service, 'user');
  });

  test('editing the service’s code offers a restart, once per burst of saves', async () => {
    // The snapshot just written under .leakhunt/ is not code: nothing was offered for it.
    const offered = (): string[] => logged.filter((line) => line.startsWith('Code changed'));
    assert.deepEqual(offered(), []);
    const file = join(workspace, 'user', 'service.js');
    const original = await readFile(file, 'utf8');
    try {
      for (let i = 0; i < 3; i++) {
        await appendFile(file, `\n// edit ${i}\n`);
        await pause(300);
      }
      await writeFile(join(workspace, 'test', 'notes.test.js'), '// a test file\n');
      const deadline = Date.now() + 10_000;
      while (offered().length === 0 && Date.now() < deadline) await pause(200);
      await pause(2500);
      assert.deepEqual(offered(), ['Code changed under running services: user/service.js']);
      // A headless window shows no toasts: the prompt is in the notification centre.
      await vscode.commands.executeCommand('notifications.showList');
      await pause(1000);
      screenshot('restart-prompt');
      await pause(1500);
    } finally {
      await writeFile(file, original);
    }
    await pause(2000);
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('notifications.hideList');
  });

  test('Restart Services starts a new session on the same exercise', async () => {
    const before = api.services.sessions.current;
    const names = await vscode.commands.executeCommand<string[]>('leakHunt.startServices', {
      restart: true,
    });
    assert.deepEqual([...(names ?? [])].sort(), ['catalogue', 'user', 'web']);
    assert.notEqual(api.services.sessions.current, before);
    assert.equal(before?.isRunning, false, 'the old services were stopped');
  });

  for (const theme of ['Default Dark Modern', 'Default Light Modern']) {
    test(`the changed views in ${theme}`, async () => {
      const tag = theme.includes('Light') ? 'light' : 'dark';
      await vscode.workspace
        .getConfiguration('workbench')
        .update('colorTheme', theme, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('leakHunt.session.focus');
      await vscode.commands.executeCommand('leakHunt.openHeapExplorer');
      const load = vscode.commands.executeCommand('leakHunt.startLoad', { count: 900, rate: 150 });
      await pause(3000);
      screenshot(`views-${tag}-loading`);
      await load;
      await pause(2000);
      screenshot(`views-${tag}`);
      await pause(1500);
    });
  }
});
