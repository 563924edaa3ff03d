import * as vscode from 'vscode';
import { registerCommand } from '../commands';
import type { ExtensionServices } from '../services';

interface HintNode {
  index: number;
  text: string;
}

/**
 * Revealed hints are read in full in a read-only Markdown document, one per exercise, that the
 * Hints view's rows open at their hint. It is shown as source, never rendered: hints may come
 * from an imported pack, and the source can neither load a remote image nor run a command link.
 * VS Code wraps Markdown by default, so long hints need no scrolling.
 */
const HINTS_SCHEME = 'leakhunt-hints';

interface HintsDocument {
  text: string;
  /** Line of each revealed hint's heading, by hint index. */
  lines: Map<number, number>;
}

function hintsDocument(title: string, hints: readonly string[], revealed: number[]): HintsDocument {
  const out = [
    `# ${title}: hints`,
    '',
    `${revealed.length} of ${hints.length} revealed. Each hint gives away a little more than the one before.`,
  ];
  const lines = new Map<number, number>();
  for (const index of revealed) {
    const hint = hints[index];
    if (hint === undefined) continue;
    out.push('');
    lines.set(index, out.length);
    out.push(`## Hint ${index + 1} of ${hints.length}`, '', ...hint.split('\n'));
  }
  return { text: `${out.join('\n')}\n`, lines };
}

class HintsContent implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly services: ExtensionServices) {}

  /** The document of the open exercise, or undefined outside one. */
  current(): { uri: vscode.Uri; document: HintsDocument } | undefined {
    const current = this.services.currentExercise.value;
    if (!current) return undefined;
    const { title, hints, id } = current.exercise.manifest;
    const revealed = this.services.progress.revealedHints(current.marker.setId, id);
    return {
      uri: vscode.Uri.from({ scheme: HINTS_SCHEME, path: `/${title} hints.md` }),
      document: hintsDocument(title, hints, revealed),
    };
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const current = this.current();
    return current?.uri.path === uri.path ? current.document.text : '';
  }

  /** Open documents follow reveals (and a change of exercise). */
  refresh(): void {
    const current = this.current();
    if (current) this.changed.fire(current.uri);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Opens the hints document at hint `index`. */
async function showHint(content: HintsContent, index: number): Promise<void> {
  const current = content.current();
  const line = current?.document.lines.get(index);
  if (!current || line === undefined) return;
  const document = await vscode.workspace.openTextDocument(current.uri);
  await vscode.window.showTextDocument(document, {
    preview: true,
    selection: new vscode.Range(line, 0, line, 0),
  });
}

/** The Hints view: the hints revealed so far for the open exercise, in order. */
class HintsProvider implements vscode.TreeDataProvider<HintNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly services: ExtensionServices,
    private readonly content: HintsContent,
  ) {}

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
    const current = this.content.current();
    const line = current?.document.lines.get(node.index);
    if (current && line !== undefined)
      item.command = {
        command: 'vscode.open',
        title: 'Read Hint',
        arguments: [current.uri, { preview: true, selection: new vscode.Range(line, 0, line, 0) }],
      };
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export function registerHints(services: ExtensionServices): void {
  const content = new HintsContent(services);
  const provider = new HintsProvider(services, content);
  const view = vscode.window.createTreeView('leakHunt.hints', { treeDataProvider: provider });
  const describe = (): void => {
    const current = services.currentExercise.value;
    view.description = current
      ? `${services.progress.revealedHints(current.marker.setId, current.exercise.manifest.id).length} of ${current.exercise.manifest.hints.length}`
      : undefined;
    provider.refresh();
    content.refresh();
  };
  describe();
  services.context.subscriptions.push(
    content,
    vscode.workspace.registerTextDocumentContentProvider(HINTS_SCHEME, content),
    provider,
    view,
    services.currentExercise.onDidChange(describe),
    services.progress.onDidChange(describe),
    registerCommand(services.log, 'leakHunt.revealNextHint', (args) =>
      revealNextHint(services, content, args?.confirm ?? true),
    ),
  );
}

/** Reveals the next hint (after confirmation), records when, and shows it in full. Returns its text. */
async function revealNextHint(
  services: ExtensionServices,
  content: HintsContent,
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
  await showHint(content, next);
  return hints[next];
}
