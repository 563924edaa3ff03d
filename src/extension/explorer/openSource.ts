import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import * as vscode from 'vscode';
import type { SourceLocation } from '../protocol';

/**
 * "Go to source" for a location from a heap snapshot: opens the file at the line and column.
 * Locations are heap data (attacker-controlled), so only existing files on disk are opened,
 * read as text; anything else gets an explanation instead.
 */
export async function openSource(location: SourceLocation): Promise<vscode.TextEditor | undefined> {
  let uri: vscode.Uri;
  if (/^file:\/\//.test(location.file)) uri = vscode.Uri.parse(location.file);
  else if (isAbsolute(location.file)) uri = vscode.Uri.file(location.file);
  else {
    void vscode.window.showInformationMessage(
      `"${location.file}" is not a file on disk (Node's own code or an evaluated script), so there is no source to open.`,
    );
    return undefined;
  }
  if (uri.scheme !== 'file' || !existsSync(uri.fsPath)) {
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
