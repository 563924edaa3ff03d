import * as vscode from 'vscode';
import { formatBytes } from '../../common/format';
import type { ExtensionServices } from '../services';
import { throttle } from '../throttle';

/**
 * While a session runs: the heap of the service growing fastest per request (the one worth
 * hunting), with its trend. Click opens the Heap Explorer.
 */
export function registerStatusBar(services: ExtensionServices): void {
  const item = vscode.window.createStatusBarItem(
    'leakHunt.heap',
    vscode.StatusBarAlignment.Left,
    50,
  );
  item.name = 'Leak Hunt Heap';
  item.command = 'leakHunt.openHeapExplorer';
  let sampleSubscription: vscode.Disposable | undefined;

  const update = (): void => {
    const live = services.sessions.current;
    const series = live?.series().filter((s) => s.state === 'running') ?? [];
    if (!live || series.length === 0) {
      item.hide();
      return;
    }
    const hunted = series.reduce((a, b) =>
      (b.bytesPerRequest ?? -Infinity) > (a.bytesPerRequest ?? -Infinity) ? b : a,
    );
    const latest = hunted.samples.at(-1);
    const slope = hunted.bytesPerRequest;
    const trend =
      slope === undefined
        ? ''
        : slope > 64
          ? ` $(arrow-up) +${formatBytes(slope)}/req`
          : slope < -64
            ? ` $(arrow-down) ${formatBytes(slope)}/req`
            : ' $(arrow-right) flat';
    item.text = `$(pulse) ${hunted.service} ${latest ? formatBytes(latest.usedHeap) : '…'}${trend}`;
    item.tooltip = new vscode.MarkdownString(
      series
        .map(
          (s) =>
            `**${s.service}**: ${s.samples.at(-1) ? formatBytes(s.samples.at(-1)!.usedHeap) : '—'} heap${s.bytesPerRequest !== undefined ? `, ${s.bytesPerRequest} B per request` : ''}`,
        )
        .join('  \n') +
        '\n\nLive readings, before GC: the leak check and Find Leak measure after GC. Click to open the Heap Explorer.',
    );
    item.accessibilityInformation = {
      label: `Leak Hunt: ${hunted.service} heap ${latest ? formatBytes(latest.usedHeap) : 'unknown'}`,
    };
    item.show();
  };

  const updateSoon = throttle(update, 1000);

  const follow = (): void => {
    sampleSubscription?.dispose();
    sampleSubscription = services.sessions.current?.onDidSample(() => {
      updateSoon();
    });
    update();
  };
  follow();
  services.context.subscriptions.push(
    item,
    services.sessions.onDidChangeSession(follow),
    services.sessions.onDidChangeState(updateSoon),
    updateSoon,
    {
      dispose: () => sampleSubscription?.dispose(),
    },
  );
}
