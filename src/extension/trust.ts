import * as vscode from 'vscode';

/**
 * No extension provides tasks of this type. Asking VS Code for them is how Leak Hunt brings up
 * VS Code's own trust prompt: listing tasks needs a trusted workspace, so in Restricted Mode
 * `fetchTasks` first asks "Do you trust the authors of the files in this folder?" with
 * "Trust Folder & Continue", and resolves once the user has answered. The stable API has no
 * other way to ask (`requestWorkspaceTrust` is still a proposed API), and an extension cannot
 * grant trust itself: the user does, in VS Code's dialog.
 */
const TRUST_PROMPT_TASK_TYPE = 'leakHunt';

/**
 * Running an exercise executes code from the workspace (services, setup, tests), so every
 * action that runs something passes through here. Browsing and reading snapshots do not.
 * In Restricted Mode this asks VS Code's trust prompt, so "Start Services" in a folder Leak Hunt
 * has just created is one "Trust Folder & Continue" away from running; trust granted by any
 * other route meanwhile (the trust editor) counts too. Resolves to false, after saying why and
 * offering the trust editor, when the folder stays untrusted.
 */
export async function ensureTrusted(action: string): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  let granted: vscode.Disposable | undefined;
  try {
    await Promise.race([
      vscode.tasks.fetchTasks({ type: TRUST_PROMPT_TASK_TYPE }),
      new Promise<void>((resolve) => {
        granted = vscode.workspace.onDidGrantWorkspaceTrust(() => resolve());
      }),
    ]);
  } finally {
    granted?.dispose();
  }
  if (vscode.workspace.isTrusted) return true;
  const choice = await vscode.window.showWarningMessage(
    `Leak Hunt will not ${action} in an untrusted workspace: it would run code from this folder. You can still browse exercises and open heap snapshots.`,
    'Manage Workspace Trust',
  );
  if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}
