import { relative } from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionServices } from '../services';
import type { LiveSession } from './liveSession';
import { RestartAdvisor } from './restartAdvisor';

/** A save-all or a build writes several files within this; one prompt covers them. */
const QUIET_MS = 1500;

/**
 * While services Leak Hunt started are running, watches their app folder and, when code they
 * may load changes, suggests restarting them (running services keep the code they started with,
 * so the charts would go on showing the old code's growth). Once per burst of changes.
 */
export function registerRestartPrompt(services: ExtensionServices): void {
  let watching: vscode.Disposable | undefined;
  const follow = (live: LiveSession | undefined): void => {
    watching?.dispose();
    watching = live?.target.kind === 'services' ? watchApp(services, live) : undefined;
  };
  follow(services.sessions.current);
  services.context.subscriptions.push(services.sessions.onDidChangeSession(follow), {
    dispose: () => watching?.dispose(),
  });
}

function watchApp(services: ExtensionServices, live: LiveSession): vscode.Disposable {
  if (live.target.kind !== 'services') throw new Error('only services Leak Hunt started restart');
  const { appDir, manifest } = live.target;
  // An exercise with a setup step (a TypeScript build) runs its build output: rebuild first.
  const action = manifest.setup ? 'Rebuild and Restart' : 'Restart Services';
  const advisor = new RestartAdvisor({
    quietMs: QUIET_MS,
    prompt: async (files) => {
      if (!live.isRunning) return;
      services.log.info('inspector', `Code changed under running services: ${files.join(', ')}`);
      const what = files.length === 1 ? files[0] : `${files[0]} and ${files.length - 1} more`;
      const choice = await vscode.window.showInformationMessage(
        `${what} changed, but the running services still run the code they started with. Restart them to see your change in the charts.`,
        action,
      );
      if (choice === action && live.isRunning)
        await vscode.commands.executeCommand('leakHunt.startServices', { restart: true });
    },
  });
  const watcher = vscode.workspace.createFileSystemWatcher(
    new vscode.RelativePattern(vscode.Uri.file(appDir), '**/*'),
  );
  const changed = (uri: vscode.Uri): void => advisor.fileChanged(relative(appDir, uri.fsPath));
  return vscode.Disposable.from(
    watcher,
    watcher.onDidChange(changed),
    watcher.onDidCreate(changed),
    watcher.onDidDelete(changed),
    advisor,
  );
}
