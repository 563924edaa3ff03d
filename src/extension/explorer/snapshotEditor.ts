import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionServices } from '../services';
import { ExplorerController } from './explorerController';

export const snapshotEditorViewType = 'leakHunt.heapSnapshot';

/**
 * `.heapsnapshot` files open in Leak Hunt's viewer (priority "option", so DevTools-style viewers
 * stay available). Read-only: the document is just the file's path; parsing happens in the
 * worker when the page asks for its first page of classes.
 */
export class SnapshotEditorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(private readonly services: ExtensionServices) {}

  static register(services: ExtensionServices): vscode.Disposable {
    return vscode.window.registerCustomEditorProvider(
      snapshotEditorViewType,
      new SnapshotEditorProvider(services),
      {
        supportsMultipleEditorsPerDocument: true,
      },
    );
  }

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(
    document: vscode.CustomDocument,
    panel: vscode.WebviewPanel,
  ): Promise<void> {
    const file = document.uri.fsPath;
    const info = await stat(file);
    const snapshot = this.services.snapshots.ensure(file, info.size, info.mtimeMs);
    const controller = new ExplorerController(
      panel.webview,
      this.services,
      basename(file),
      'summary',
    );
    controller.show('summary', { selection: { snapshotId: snapshot.id } });
    panel.onDidChangeViewState(({ webviewPanel }) => {
      if (!webviewPanel.visible) controller.markHidden();
    });
    panel.onDidDispose(() => controller.dispose());
  }
}
