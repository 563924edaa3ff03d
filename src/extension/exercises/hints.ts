import * as vscode from 'vscode';
import { hintCount, hintLadders, type HintLadder } from '../../exercises/leaks';
import type { HintReveal } from '../../progress/model';
import { registerCommand } from '../commands';
import type { ExtensionServices } from '../services';

interface HintNode {
  /** Where the hint's heading is in the hints document. */
  key: string;
  title: string;
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
  /** Line of each revealed hint's heading, by `hintKey`. */
  lines: Map<string, number>;
  /** The revealed hints, in the order revealed. */
  nodes: HintNode[];
}

function hintKey(leak: number | undefined, index: number): string {
  return `${leak ?? 0}:${index}`;
}

/** "Leak 2, where to look" for a leak's rung, "Hint 2 of 4" for a general one. */
function hintTitle(ladder: HintLadder, index: number, leakCount: number): string {
  const rung = ladder.rungs[index];
  return ladder.leak === undefined
    ? `Hint ${index + 1} of ${ladder.rungs.length}`
    : `Leak ${ladder.leak} of ${leakCount}, ${rung?.label ?? `hint ${index + 1}`}`;
}

function hintsDocument(
  title: string,
  ladders: readonly HintLadder[],
  revealed: readonly HintReveal[],
): HintsDocument {
  const total = ladders.reduce((sum, l) => sum + l.rungs.length, 0);
  const leakCount = ladders.filter((l) => l.leak !== undefined).length;
  const out = [
    `# ${title}: hints`,
    '',
    `${revealed.length} of ${total} revealed.` +
      (leakCount > 1
        ? ` Each leak has its own hints: a nudge, where to look, how to fix.`
        : ' Each hint gives away a little more than the one before.'),
  ];
  const lines = new Map<string, number>();
  const nodes: HintNode[] = [];
  for (const reveal of revealed) {
    const ladder = ladders.find((l) => l.leak === reveal.leak);
    const rung = ladder?.rungs[reveal.index];
    if (!ladder || !rung) continue;
    const key = hintKey(reveal.leak, reveal.index);
    const heading = hintTitle(ladder, reveal.index, leakCount);
    out.push('');
    lines.set(key, out.length);
    out.push(`## ${heading}`, '', ...rung.text.split('\n'));
    nodes.push({ key, title: heading, text: rung.text });
  }
  return { text: `${out.join('\n')}\n`, lines, nodes };
}

class HintsContent implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly services: ExtensionServices) {}

  /** The document of the open exercise, or undefined outside one. */
  current(): { uri: vscode.Uri; document: HintsDocument } | undefined {
    const current = this.services.currentExercise.value;
    if (!current) return undefined;
    const { manifest } = current.exercise;
    const revealed = this.services.progress.revealedHints(current.marker.setId, manifest.id);
    return {
      uri: vscode.Uri.from({ scheme: HINTS_SCHEME, path: `/${manifest.title} hints.md` }),
      document: hintsDocument(manifest.title, hintLadders(manifest), revealed),
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

/** Opens the hints document at the hint `key`. */
async function showHint(content: HintsContent, key: string): Promise<void> {
  const current = content.current();
  const line = current?.document.lines.get(key);
  if (!current || line === undefined) return;
  const document = await vscode.workspace.openTextDocument(current.uri);
  await vscode.window.showTextDocument(document, {
    preview: true,
    selection: new vscode.Range(line, 0, line, 0),
  });
}

/** The Hints view: the hints revealed so far for the open exercise, in the order revealed. */
class HintsProvider implements vscode.TreeDataProvider<HintNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly content: HintsContent) {}

  refresh(): void {
    this.changed.fire();
  }

  getChildren(node?: HintNode): HintNode[] {
    if (node) return [];
    return this.content.current()?.document.nodes ?? [];
  }

  getTreeItem(node: HintNode): vscode.TreeItem {
    const firstLine = node.text.split('\n')[0] ?? '';
    const item = new vscode.TreeItem(`${node.title}: ${firstLine}`);
    // Hints may come from an imported pack: no HTML, no commands, and no images (they would load remote URLs).
    item.tooltip = new vscode.MarkdownString(node.text.replace(/!\[[^\]]*\]\([^)]*\)/g, ''));
    item.iconPath = new vscode.ThemeIcon('lightbulb');
    const current = this.content.current();
    const line = current?.document.lines.get(node.key);
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
  const provider = new HintsProvider(content);
  const view = vscode.window.createTreeView('leakHunt.hints', { treeDataProvider: provider });
  const describe = (): void => {
    const current = services.currentExercise.value;
    view.description = current
      ? `${services.progress.revealedHints(current.marker.setId, current.exercise.manifest.id).length} of ${hintCount(current.exercise.manifest)}`
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
      revealNextHint(services, content, args?.confirm ?? true, args?.leak),
    ),
  );
}

/** A ladder with hints left, and the index of its next one. */
interface Climbable {
  ladder: HintLadder;
  next: number;
}

/** Asks which ladder to climb: "Leak 1 of 3 — next: where to look". */
async function pickLadder(
  climbable: readonly Climbable[],
  leakCount: number,
): Promise<Climbable | undefined> {
  const picked = await vscode.window.showQuickPick(
    climbable.map((c) => ({
      label:
        c.ladder.leak === undefined
          ? `General hints — next: hint ${c.next + 1} of ${c.ladder.rungs.length}`
          : `Leak ${c.ladder.leak} of ${leakCount} — next: ${c.ladder.rungs[c.next]!.label}`,
      description: `${c.next} of ${c.ladder.rungs.length} revealed`,
      climbable: c,
    })),
    {
      title: 'Reveal a hint',
      placeHolder: 'Each leak has its own hints; pick the one you are stuck on',
    },
  );
  return picked?.climbable;
}

/**
 * Reveals the next hint of a ladder (after confirmation), records when, and shows it in full.
 * Returns its text.
 */
async function revealNextHint(
  services: ExtensionServices,
  content: HintsContent,
  confirm: boolean,
  leak: number | undefined,
): Promise<string | undefined> {
  const current = services.currentExercise.value;
  if (!current)
    throw new Error('This workspace holds no Leak Hunt exercise, so there are no hints to reveal.');
  const { manifest } = current.exercise;
  const ladders = hintLadders(manifest);
  const leakCount = ladders.filter((l) => l.leak !== undefined).length;
  const revealed = services.progress.revealedHints(current.marker.setId, manifest.id);
  const climbable = ladders
    .map((ladder) => ({
      ladder,
      next: revealed.filter((r) => r.leak === ladder.leak).length,
    }))
    .filter((c) => c.next < c.ladder.rungs.length);
  if (leak !== undefined && !ladders.some((l) => l.leak === leak))
    throw new Error(`This exercise has no leak ${leak}; its leaks are numbered 1 to ${leakCount}.`);
  const candidates =
    leak === undefined ? climbable : climbable.filter((c) => c.ladder.leak === leak);
  if (!candidates.length) {
    void vscode.window.showInformationMessage(
      ladders.length ? 'All hints are revealed.' : 'This exercise has no hints.',
    );
    return undefined;
  }
  const chosen =
    candidates.length > 1 && confirm ? await pickLadder(candidates, leakCount) : candidates[0];
  if (!chosen) return undefined;
  const { ladder, next } = chosen;
  if (confirm) {
    const choice = await vscode.window.showInformationMessage(
      ladder.leak === undefined
        ? `Reveal hint ${next + 1} of ${ladder.rungs.length}?`
        : `Reveal the next hint for leak ${ladder.leak} of ${leakCount} (${ladder.rungs[next]!.label})?`,
      {
        modal: true,
        detail:
          'Hints are progressive; each one gives away a little more. Your progress report records which hints you used.',
      },
      'Reveal Hint',
    );
    if (choice !== 'Reveal Hint') return undefined;
  }
  const ref = {
    ...(ladder.leak === undefined ? {} : { leak: ladder.leak }),
    size: ladder.rungs.length,
  };
  if (!(await services.progress.hintRevealed(manifest.id, next, ref))) return undefined;
  await vscode.commands.executeCommand('leakHunt.hints.focus');
  await showHint(content, hintKey(ladder.leak, next));
  return ladder.rungs[next]!.text;
}
