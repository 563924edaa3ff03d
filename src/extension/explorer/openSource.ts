import { isAbsolute } from 'node:path';
import * as vscode from 'vscode';
import type { SourceLocation } from '../protocol';

/**
 * "Go to source" for a location from a heap snapshot: opens the file at the line and column.
 * Locations are heap data (attacker-controlled), so only local files are considered — no URI
 * authority, no UNC or `//` paths, which would make the check below reach out to the network —
 * and only existing ones are opened, as text; anything else gets an explanation instead.
 */
export async function openSource(location: SourceLocation): Promise<vscode.TextEditor | undefined> {
  const raw = location.file;
  let uri: vscode.Uri | undefined;
  if (/^file:\/\//.test(raw)) uri = vscode.Uri.parse(raw);
  else if (isAbsolute(raw) && !/^[\\/]{2}/.test(raw)) uri = vscode.Uri.file(raw);
  if (!uri || uri.scheme !== 'file' || uri.authority !== '' || /^[\\/]{2}/.test(uri.fsPath)) {
    void vscode.window.showInformationMessage(
      `"${raw}" is not a file on this machine (Node's own code, an evaluated script or a remote path), so there is no source to open.`,
    );
    return undefined;
  }
  const stat = await Promise.resolve(vscode.workspace.fs.stat(uri)).catch(() => undefined);
  if (!stat || stat.type !== vscode.FileType.File) {
    void vscode.window.showWarningMessage(
      `${uri.fsPath} does not exist. Was the file moved since the snapshot was taken?`,
    );
    return undefined;
  }
  const position = new vscode.Position(
    Math.max(0, location.line - 1),
    Math.max(0, location.column - 1),
  );
  return vscode.window.showTextDocument(uri, {
    selection: new vscode.Range(position, position),
    preview: false,
  });
}
