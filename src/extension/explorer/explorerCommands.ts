import { stat } from 'node:fs/promises';
import * as vscode from 'vscode';
import { registerCommand } from '../commands';
import type { ExtensionServices } from '../services';
import { HeapExplorerPanel } from './heapExplorerPanel';
import { SnapshotEditorProvider } from './snapshotEditor';

export function registerExplorer(services: ExtensionServices): void {
  services.context.subscriptions.push(
    HeapExplorerPanel.register(services),
    SnapshotEditorProvider.register(services),
    registerCommand(services.log, 'leakHunt.openHeapExplorer', () =>
      HeapExplorerPanel.show(services, { view: services.sessions.current ? 'live' : 'summary' }),
    ),
    registerCommand(services.log, 'leakHunt.openHeapSnapshot', (file) =>
      openHeapSnapshot(
        services,
        typeof file === 'string' || file === undefined ? file : vscode.Uri.file(file.fsPath),
      ),
    ),
    registerCommand(services.log, 'leakHunt.compareSnapshots', (args) =>
      compareSnapshots(services, args),
    ),
  );
}

/** Opens any `.heapsnapshot` (argument: a path or a URI, e.g. from the Explorer's context menu). */
async function openHeapSnapshot(
  services: ExtensionServices,
  file: string | vscode.Uri | undefined,
): Promise<string | undefined> {
  let uri = typeof file === 'string' ? vscode.Uri.file(file) : file;
  if (!uri) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { 'Heap snapshots': ['heapsnapshot'] },
      openLabel: 'Open in Heap Explorer',
      title: 'Open Heap Snapshot',
    });
    uri = picked?.[0];
  }
  if (!uri) return undefined;
  const info = await stat(uri.fsPath).catch(() => undefined);
  if (!info?.isFile()) throw new Error(`${uri.fsPath} is not a file.`);
  const snapshot = services.snapshots.ensure(uri.fsPath, info.size, info.mtimeMs);
  HeapExplorerPanel.show(services, { view: 'summary', selection: { snapshotId: snapshot.id } });
  return snapshot.id;
}

async function compareSnapshots(
  services: ExtensionServices,
  args: { baselineId?: string; targetId?: string } | undefined,
): Promise<void> {
  const ready = services.snapshots.ready();
  if (ready.length < 2) {
    void vscode.window
      .showInformationMessage(
        'Comparing needs two snapshots. Take another one (or open one) first.',
        'Take Heap Snapshot',
      )
      .then((c) => c && vscode.commands.executeCommand('leakHunt.takeSnapshot'));
    return;
  }
  let { baselineId, targetId } = args ?? {};
  if (!baselineId || !targetId) {
    const items = [...ready].reverse().map((s) => ({
      label: s.label,
      description: new Date(s.takenAt).toLocaleTimeString(),
      id: s.id,
    }));
    const baseline = await vscode.window.showQuickPick(items, {
      title: 'Compare Snapshots (1/2)',
      placeHolder: 'Baseline: the earlier snapshot',
    });
    if (!baseline) return;
    const target = await vscode.window.showQuickPick(
      items.filter((i) => i.id !== baseline.id),
      { title: 'Compare Snapshots (2/2)', placeHolder: 'Target: the later snapshot' },
    );
    if (!target) return;
    baselineId = baseline.id;
    targetId = target.id;
  }
  HeapExplorerPanel.show(services, { view: 'comparison', selection: { baselineId, targetId } });
}
