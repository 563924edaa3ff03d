import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { SnapshotInfo } from '../protocol';
import type { ExtensionServices } from '../services';
import { formatBytes } from '../../common/format';
import { throttle } from '../throttle';
import { serviceRow } from './sessionRows';

type Node =
  | { kind: 'service'; service: string }
  | { kind: 'load' }
  | { kind: 'snapshots' }
  | { kind: 'snapshot'; info: SnapshotInfo };

const stateIcons = {
  starting: new vscode.ThemeIcon('loading~spin'),
  running: new vscode.ThemeIcon('pulse', new vscode.ThemeColor('testing.iconPassed')),
  stopped: new vscode.ThemeIcon('debug-stop'),
  crashed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
};

/** The Session view: services with their live heap, the load, and the snapshots taken. */
class SessionProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  /** Samples arrive every half second per service; the tree need not redraw more than once a second. */
  readonly refreshSoon = throttle(() => this.refresh(), 1000);

  constructor(private readonly services: ExtensionServices) {}

  refresh(): void {
    this.changed.fire();
  }

  getChildren(node?: Node): Node[] {
    const live = this.services.sessions.current;
    const snapshots = this.services.snapshots.list();
    if (!node) {
      if (!live && snapshots.length === 0) return []; // the welcome view explains what to do
      const nodes: Node[] = (live?.serviceNames ?? []).map((name) => ({
        kind: 'service',
        service: name,
      }));
      if (live?.target.kind === 'services') nodes.push({ kind: 'load' });
      nodes.push({ kind: 'snapshots' });
      return nodes;
    }
    if (node.kind === 'snapshots')
      return [...snapshots].reverse().map((info) => ({ kind: 'snapshot', info }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const live = this.services.sessions.current;
    switch (node.kind) {
      case 'service': {
        const series = live?.serviceState(node.service);
        const item = new vscode.TreeItem(node.service);
        const row = serviceRow(node.service, series);
        item.description = row.description;
        item.tooltip = new vscode.MarkdownString(row.tooltip);
        item.iconPath = stateIcons[series?.state ?? 'stopped'];
        item.contextValue = 'service';
        item.command = { command: 'leakHunt.openHeapExplorer', title: 'Open Heap Explorer' };
        return item;
      }
      case 'load': {
        const stats = live?.loadStats;
        const item = new vscode.TreeItem('Load');
        item.iconPath = new vscode.ThemeIcon(live?.isLoadRunning ? 'loading~spin' : 'dashboard');
        item.description = live?.isLoadRunning
          ? `running · ${stats?.sent ?? 0} sent · ${stats?.requestsPerSecond ?? 0} req/s`
          : stats
            ? `idle · last run ${stats.sent} sent, ${stats.ok} ok`
            : 'idle';
        item.contextValue = live?.isLoadRunning ? 'loadRunning' : 'loadIdle';
        return item;
      }
      case 'snapshots': {
        const count = this.services.snapshots.list().length;
        const item = new vscode.TreeItem(
          'Snapshots',
          count ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
        );
        item.description = count ? String(count) : 'none yet';
        item.iconPath = new vscode.ThemeIcon('device-camera');
        return item;
      }
      case 'snapshot': {
        const { info } = node;
        const item = new vscode.TreeItem(info.label);
        const time = new Date(info.takenAt).toLocaleTimeString();
        item.description =
          info.state === 'capturing'
            ? `capturing ${Math.round((info.progress ?? 0) * 100)}%`
            : info.state === 'error'
              ? 'failed'
              : [info.service, time].filter(Boolean).join(' · ');
        // The size and the file do not fit beside the label at the default sidebar width.
        item.tooltip = info.file ? `${info.file} (${formatBytes(info.sizeBytes)})` : info.label;
        item.iconPath = new vscode.ThemeIcon(
          info.state === 'capturing'
            ? 'loading~spin'
            : info.state === 'error'
              ? 'warning'
              : 'file-binary',
        );
        item.resourceUri = info.file ? vscode.Uri.file(info.file) : undefined;
        item.label = info.label || basename(info.file);
        if (info.state === 'ready')
          item.command = {
            command: 'leakHunt.openHeapSnapshot',
            title: 'Open in Heap Explorer',
            arguments: [info.file],
          };
        item.contextValue = 'snapshot';
        return item;
      }
    }
  }

  dispose(): void {
    this.refreshSoon.dispose();
    this.changed.dispose();
  }
}

export function registerSessionView(services: ExtensionServices): void {
  const provider = new SessionProvider(services);
  const view = vscode.window.createTreeView('leakHunt.session', { treeDataProvider: provider });
  let sampleSubscription: vscode.Disposable | undefined;
  const follow = (): void => {
    sampleSubscription?.dispose();
    sampleSubscription = services.sessions.current?.onDidSample(() => provider.refreshSoon());
    view.description = services.sessions.current?.label;
    provider.refresh();
  };
  follow();
  services.context.subscriptions.push(
    provider,
    view,
    services.sessions.onDidChangeSession(follow),
    services.sessions.onDidChangeState(() => provider.refreshSoon()),
    services.sessions.onDidChangeLoad(() => provider.refreshSoon()),
    services.snapshots.onDidChange(() => provider.refresh()),
    { dispose: () => sampleSubscription?.dispose() },
  );
}
