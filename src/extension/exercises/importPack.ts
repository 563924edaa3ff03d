import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { unpackPack } from '../../exercises/pack';
import { registerCommand } from '../commands';
import type { ExtensionServices } from '../services';

/** A folder name for a pack's set: lower-case words and version, nothing that could escape. */
function packFolderName(name: string, version: string): string {
  const slug = `${name}-${version}`
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  return slug.slice(0, 80) || 'pack';
}

export function registerImportPack(services: ExtensionServices): void {
  services.context.subscriptions.push(
    registerCommand(services.log, 'leakHunt.importPack', (file) => importPack(services, file)),
  );
}

/**
 * Imports an exercise pack (.zip), for learners or for graders, into the extension's storage as
 * a set of its own. The pack is hostile input: `unpackPack` checks everything in memory before
 * writing a byte, into a staging folder first; only then is it moved under its set's name. Its
 * origin (recorded by `unpackPack`) keeps its commands held until the user allows them.
 */
async function importPack(
  services: ExtensionServices,
  file: string | undefined,
): Promise<string | undefined> {
  const path =
    file ??
    (
      await vscode.window.showOpenDialog({
        canSelectMany: false,
        filters: { 'Leak Hunt exercise packs': ['zip', 'leakhunt'] },
        openLabel: 'Import Pack',
        title: 'Import Exercise Pack',
      })
    )?.[0]?.fsPath;
  if (!path) return undefined;
  const staging = join(services.library.packsDir, `.import-${Date.now()}`);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Importing exercise pack' },
    () => unpackPack(path, staging),
  );
  const folder = join(
    services.library.packsDir,
    packFolderName(result.set.name, result.set.version),
  );
  if (existsSync(folder)) {
    const choice = await vscode.window.showWarningMessage(
      `"${result.set.name}" ${result.set.version} is already imported. Replace it?`,
      { modal: true, detail: 'Workspaces made from the old copy keep their files.' },
      'Replace',
    );
    if (choice !== 'Replace') {
      await vscode.workspace.fs.delete(vscode.Uri.file(staging), { recursive: true });
      return undefined;
    }
    // Old copy aside first, new one in, then the old one removed: a failed rename loses neither.
    const aside = join(services.library.packsDir, `.replaced-${Date.now()}`);
    await rename(folder, aside);
    try {
      await rename(staging, folder);
    } catch (error) {
      await rename(aside, folder);
      throw error;
    }
    await vscode.workspace.fs.delete(vscode.Uri.file(aside), { recursive: true });
  } else {
    await rename(staging, folder);
  }
  services.library.refresh();
  const kind =
    result.kind === 'learners'
      ? "a learners' pack (no solutions)"
      : "a graders' pack (with reference solutions)";
  services.log.info(
    'exercises',
    `Imported ${result.set.name} ${result.set.version}, ${kind}, ${result.files} files, sha256 ${result.origin.packSha256}, into ${folder}`,
  );
  void vscode.window.showInformationMessage(
    `Imported "${result.set.name}" ${result.set.version}: ${kind} with ${result.set.exercises.length} exercise(s). ` +
      'Leak Hunt shows its commands and asks before the first one runs.',
  );
  return folder;
}
