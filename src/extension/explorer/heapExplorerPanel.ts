import * as vscode from 'vscode';
import type { ExplorerSelection, ExplorerView, SuspectsResult } from '../protocol';
import type { ExtensionServices } from '../services';
import { ExplorerController, explorerWebviewOptions } from './explorerController';

const viewType = 'leakHunt.heapExplorer';

/** The Heap Explorer panel: one per window, revived after a reload with its page state. */
export class HeapExplorerPanel {
  private static current: HeapExplorerPanel | undefined;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly controller: ExplorerController,
  ) {
    panel.onDidChangeViewState(({ webviewPanel }) => {
      if (!webviewPanel.visible) controller.markHidden();
    });
    panel.onDidDispose(() => {
      controller.dispose();
      if (HeapExplorerPanel.current === this) HeapExplorerPanel.current = undefined;
    });
  }

  /** Opens (or brings forward) the panel on `view`. */
  static show(
    services: ExtensionServices,
    options: { view: ExplorerView; selection?: ExplorerSelection; suspects?: SuspectsResult },
  ): void {
    if (!HeapExplorerPanel.current) {
      const panel = vscode.window.createWebviewPanel(
        viewType,
        'Heap Explorer',
        vscode.ViewColumn.Active,
        {
          ...explorerWebviewOptions(services.context.extensionUri),
          retainContextWhenHidden: false,
        },
      );
      HeapExplorerPanel.adopt(panel, services, options.view);
    }
    const current = HeapExplorerPanel.current!;
    current.panel.reveal(undefined, false);
    current.controller.show(options.view, options);
  }

  private static adopt(
    panel: vscode.WebviewPanel,
    services: ExtensionServices,
    view: ExplorerView,
  ): void {
    panel.iconPath = vscode.Uri.joinPath(
      services.context.extensionUri,
      'media',
      'icons',
      'leak-hunt.svg',
    );
    HeapExplorerPanel.current = new HeapExplorerPanel(
      panel,
      new ExplorerController(panel.webview, services, 'Heap Explorer', view),
    );
  }

  /** Restores the panel VS Code kept across a reload; the page restores its own state. */
  static register(services: ExtensionServices): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(viewType, {
      deserializeWebviewPanel: async (panel, state: { view?: ExplorerView } | undefined) => {
        HeapExplorerPanel.adopt(panel, services, state?.view ?? 'live');
      },
    });
  }
}
