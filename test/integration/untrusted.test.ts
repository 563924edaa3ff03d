import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { LeakHuntApi } from '../../src/extension/api';

// Runs in a folder VS Code opened in Restricted Mode: start it through trustOnHost.sh, which
// leaves workspace trust on (the usual launchers turn it off).

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The launcher saves a workbench screenshot when a test logs this marker; it takes a moment. */
async function screenshot(label: string): Promise<void> {
  console.log(`__screenshot__:${label}`);
  await pause(1000);
}

interface ShownWarning {
  message: string;
  actions: string[];
}

/**
 * Every warning Leak Hunt shows from here on. The extension and its tests share one `vscode`
 * API object, so wrapping `showWarningMessage` sees the extension's calls; the wrapper passes
 * each call on, so the real notification is shown and answered as usual.
 */
function recordWarnings(): { shown: ShownWarning[]; dispose(): void } {
  const shown: ShownWarning[] = [];
  const window = vscode.window as { showWarningMessage: (...args: unknown[]) => unknown };
  const original = window.showWarningMessage;
  window.showWarningMessage = (...args: unknown[]) => {
    shown.push({
      message: String(args[0]),
      actions: args.slice(1).filter((arg): arg is string => typeof arg === 'string'),
    });
    return original.apply(vscode.window, args);
  };
  return { shown, dispose: () => (window.showWarningMessage = original) };
}

/**
 * Leak Hunt brings up VS Code's own trust prompt by asking for tasks (see src/extension/trust.ts).
 * The test host refuses to show dialogs while extension tests run, so that prompt cannot appear
 * here: this records each request and answers it as VS Code does when the learner picks Cancel
 * (no tasks, workspace still untrusted).
 */
function answerTrustPromptsWithCancel(): { asked: vscode.TaskFilter[]; dispose(): void } {
  const asked: vscode.TaskFilter[] = [];
  const tasks = vscode.tasks as { fetchTasks: typeof vscode.tasks.fetchTasks };
  const original = tasks.fetchTasks;
  tasks.fetchTasks = (filter?: vscode.TaskFilter) => {
    asked.push(filter ?? {});
    return Promise.resolve([]);
  };
  return { asked, dispose: () => (tasks.fetchTasks = original) };
}

suite('In an untrusted workspace', () => {
  let api: LeakHuntApi;
  let warnings: ReturnType<typeof recordWarnings>;
  let trustPrompts: ReturnType<typeof answerTrustPromptsWithCancel>;
  let firstHint: string;

  suiteSetup(async () => {
    assert.equal(
      vscode.workspace.isTrusted,
      false,
      'the test folder opened in Restricted Mode (run through test/integration/trustOnHost.sh)',
    );
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test window has a workspace folder');
    const extension = vscode.extensions.getExtension<LeakHuntApi>('leak-hunt.leak-hunt');
    assert.ok(extension);
    api = await extension.activate();
    warnings = recordWarnings();
    trustPrompts = answerTrustPromptsWithCancel();
    // Browsing: an exercise without a setup step opens into an untrusted folder.
    const destination = await vscode.commands.executeCommand<string>('leakHunt.openExercise', {
      exerciseId: 'user-sessions',
      destination: folder.uri.fsPath,
      open: 'none',
    });
    assert.equal(destination, folder.uri.fsPath);
    const manifest = JSON.parse(
      await readFile(
        join(extension.extensionPath, 'exercises/user-sessions/exercise.json'),
        'utf8',
      ),
    ) as { leaks: { hints: { nudge: string; where: string; fix: string } }[] };
    // One leak, so one ladder: its nudge comes first.
    firstHint = manifest.leaks[0]!.hints.nudge;
  });

  suiteTeardown(async () => {
    warnings?.dispose();
    trustPrompts?.dispose();
    await vscode.commands.executeCommand('leakHunt.stopServices');
  });

  /**
   * Runs a command that should refuse, waits for its warning, then closes the notification as a
   * learner would (which answers it with no choice) and returns the warning and the result.
   */
  async function refusal(
    command: string,
    label: string,
  ): Promise<{ warning: ShownWarning; result: unknown }> {
    const before = warnings.shown.length;
    let settled = false;
    const running = Promise.resolve(vscode.commands.executeCommand(command)).finally(
      () => (settled = true),
    );
    for (let waited = 0; warnings.shown.length === before; waited += 100) {
      assert.ok(waited < 10_000 && !settled, `${command} showed no warning`);
      await pause(100);
    }
    // Headless, the workbench may not pop the toast up; its list shows the warning for the shot.
    await vscode.commands.executeCommand('notifications.showList');
    await pause(1500);
    await screenshot(label);
    // The notification reaches the workbench a little after the call: clear until it is gone.
    for (let waited = 0; !settled; waited += 200) {
      assert.ok(waited < 10_000, `${command} did not finish once its warning was closed`);
      await vscode.commands.executeCommand('notifications.clearAll');
      await pause(200);
    }
    await vscode.commands.executeCommand('notifications.hideList');
    return { warning: warnings.shown[before]!, result: await running };
  }

  test('Start Services asks VS Code to prompt for trust and, when it is refused, says why', async () => {
    const asked = trustPrompts.asked.length;
    const { warning, result } = await refusal('leakHunt.startServices', 'untrusted-start');
    assert.equal(trustPrompts.asked.length, asked + 1, 'the trust prompt was asked for first');
    assert.match(warning.message, /will not start services in an untrusted workspace/);
    assert.match(warning.message, /still browse exercises and open heap snapshots/);
    assert.deepEqual(warning.actions, ['Manage Workspace Trust']);
    assert.equal(result, undefined);
    assert.equal(api.services.sessions.current, undefined, 'no service was started');
  });

  test('the leak check is refused the same way, without a verdict', async () => {
    const { warning, result } = await refusal('leakHunt.runLeakCheck', 'untrusted-leak-check');
    assert.match(warning.message, /will not run the exercise tests in an untrusted workspace/);
    assert.deepEqual(warning.actions, ['Manage Workspace Trust']);
    assert.equal(result, undefined);
  });

  test('the scenario and the hints can still be read', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('leakHunt.showScenario');
    const labels = (): string[] =>
      vscode.window.tabGroups.all.flatMap((group) => group.tabs.map((tab) => tab.label));
    for (let waited = 0; !labels().some((l) => l.includes('scenario.md')); waited += 100) {
      assert.ok(waited < 10_000, `no scenario preview among ${labels().join(', ')}`);
      await pause(100);
    }
    const hint = await vscode.commands.executeCommand<string>('leakHunt.revealNextHint', {
      confirm: false,
    });
    assert.equal(hint, firstHint);
    // The whole hint, in a read-only document that opens at it.
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'the revealed hint opened in an editor');
    assert.equal(editor.document.uri.scheme, 'leakhunt-hints');
    assert.ok(editor.document.getText().includes(firstHint), 'the document holds the full hint');
    assert.equal(
      editor.document.lineAt(editor.selection.active.line).text,
      '## Leak 1 of 1, nudge',
    );
    await vscode.commands.executeCommand('workbench.view.extension.leakHunt');
    await pause(1500);
    await screenshot('untrusted-reading');
  });

  test('Manage Workspace Trust, the offered way out, opens the trust editor', async () => {
    await vscode.commands.executeCommand('workbench.trust.manage');
    for (let waited = 0; ; waited += 100) {
      const label = vscode.window.tabGroups.activeTabGroup.activeTab?.label;
      if (label === 'Workspace Trust') break;
      assert.ok(waited < 10_000, `the active tab is ${label}, not Workspace Trust`);
      await pause(100);
    }
    await screenshot('untrusted-manage-trust');
    assert.equal(vscode.workspace.isTrusted, false, 'opening the editor trusts nothing by itself');
  });
});
