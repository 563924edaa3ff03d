import * as vscode from 'vscode';
import { registerCommand } from '../commands';
import type { ExtensionServices } from '../services';

interface HintNode {
  index: number;
  text: string;
}

/** The Hints view: the hints revealed so far for the open exercise, in order. */
class HintsProvider implements vscode.TreeDataProvider<HintNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly services: ExtensionServices) {}

  refresh(): void {
    this.changed.fire();
  }

  getChildren(node?: HintNode): HintNode[] {
    if (node) return [];
    const current = this.services.currentExercise.value;
    if (!current) return [];
    const { hints, id } = current.exercise.manifest;
    return this.services.progress
      .revealedHints(current.marker.setId, id)
      .flatMap((index) => (hints[index] !== undefined ? [{ index, text: hints[index] }] : []));
  }

  getTreeItem(node: HintNode): vscode.TreeItem {
    const firstLine = node.text.split('\n')[0] ?? '';
    const item = new vscode.TreeItem(`${node.index + 1}. ${firstLine}`);
    // Hints may come from an imported pack: no HTML, no commands, and no images (they would load remote URLs).
    item.tooltip = new vscode.MarkdownString(node.text.replace(/!\[[^\]]*\]\([^)]*\)/g, ''));
    item.iconPath = new vscode.ThemeIcon('lightbulb');
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export function registerHints(services: ExtensionServices): void {
  const provider = new HintsProvider(services);
  const view = vscode.window.createTreeView('leakHunt.hints', { treeDataProvider: provider });
  const describe = (): void => {
    const current = services.currentExercise.value;
    view.description = current
      ? `${services.progress.revealedHints(current.marker.setId, current.exercise.manifest.id).length} of ${current.exercise.manifest.hints.length}`
      : undefined;
    provider.refresh();
  };
  describe();
  services.context.subscriptions.push(
    provider,
    view,
    services.currentExercise.onDidChange(describe),
    services.progress.onDidChange(describe),
    registerCommand(services.log, 'leakHunt.revealNextHint', (args) =>
      revealNextHint(services, args?.confirm ?? true),
    ),
  );
}

/** Reveals the next hint (after confirmation), records when, and shows it. Returns its text. */
async function revealNextHint(
  services: ExtensionServices,
  confirm: boolean,
): Promise<string | undefined> {
  const current = services.currentExercise.value;
  if (!current)
    throw new Error('This workspace holds no Leak Hunt exercise, so there are no hints to reveal.');
  const { hints, id } = current.exercise.manifest;
  const revealed = services.progress.revealedHints(current.marker.setId, id);
  const next = revealed.length;
  if (next >= hints.length) {
    void vscode.window.showInformationMessage(`All ${hints.length} hints are revealed.`);
    return undefined;
  }
  if (confirm) {
    const choice = await vscode.window.showInformationMessage(
      `Reveal hint ${next + 1} of ${hints.length}?`,
      {
        modal: true,
        detail:
          'Hints are progressive; each one gives away a little more. Your progress report records which hints you used.',
      },
      'Reveal Hint',
    );
    if (choice !== 'Reveal Hint') return undefined;
  }
  if (!(await services.progress.hintRevealed(id, next, hints.length))) return undefined;
  await vscode.commands.executeCommand('leakHunt.hints.focus');
  return hints[next];
}
