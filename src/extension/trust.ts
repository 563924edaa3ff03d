import * as vscode from 'vscode';

/**
 * Running an exercise executes code from the workspace (services, setup, tests), so every
 * action that runs something passes through here. Browsing and reading snapshots do not.
 * Returns false (after telling the user why, with a way out) in an untrusted workspace.
 */
export async function ensureTrusted(action: string): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const choice = await vscode.window.showWarningMessage(
    `Leak Hunt will not ${action} in an untrusted workspace: it would run code from this folder. You can still browse exercises and open heap snapshots.`,
    'Manage Workspace Trust',
  );
  if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}
