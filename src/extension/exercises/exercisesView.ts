import * as vscode from 'vscode';
import type { Exercise } from '../../exercises/exercise';
import type { CommandSignatures } from '../commandIds';
import type { ExerciseLibrary, LibrarySet } from './library';

export type ExerciseStatus = 'new' | 'inProgress' | 'solved';

/**
 * Tree nodes. An exercise node carries `setId` and `exerciseId` because VS Code passes the node
 * itself to the inline "Open" action, and those are the arguments `leakHunt.openExercise` reads
 * (a click on the row passes the same).
 */
type Node =
  | { kind: 'set'; set: LibrarySet }
  | { kind: 'exercise'; set: LibrarySet; exercise: Exercise; setId: string; exerciseId: string };

const statusIcons: Record<ExerciseStatus, vscode.ThemeIcon> = {
  new: new vscode.ThemeIcon('circle-large-outline'),
  inProgress: new vscode.ThemeIcon('circle-large-filled', new vscode.ThemeColor('charts.yellow')),
  solved: new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed')),
};
const statusLabels: Record<ExerciseStatus, string> = {
  new: 'new',
  inProgress: 'in progress',
  solved: 'solved',
};

/** The Exercises view: exercise sets (built-in and imported), each with its exercises in order. */
export class ExercisesProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly library: ExerciseLibrary,
    private readonly statusOf: (setId: string, exerciseId: string) => ExerciseStatus,
  ) {
    this.subscription = library.onDidChange(() => this.refresh());
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) return (await this.library.sets()).map((set) => ({ kind: 'set', set }));
    if (node.kind === 'set')
      return (node.set.catalog?.exercises ?? []).map((exercise) => ({
        kind: 'exercise',
        set: node.set,
        exercise,
        setId: node.set.id,
        exerciseId: exercise.manifest.id,
      }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'set') {
      const { set } = node;
      const item = new vscode.TreeItem(
        set.catalog?.set.name ?? set.id,
        vscode.TreeItemCollapsibleState.Expanded,
      );
      item.id = `set:${set.dir}`;
      item.contextValue = 'exerciseSet';
      if (set.catalog) {
        item.description = `${set.source} · v${set.catalog.set.version}`;
        item.tooltip = new vscode.MarkdownString().appendText(
          set.catalog.set.description ?? set.catalog.set.name,
        );
      } else {
        item.description = 'cannot be read';
        item.iconPath = new vscode.ThemeIcon(
          'warning',
          new vscode.ThemeColor('problemsWarningIcon.foreground'),
        );
        item.tooltip = new vscode.MarkdownString().appendText(`${set.dir}\n\n${set.error ?? ''}`);
      }
      return item;
    }
    const { manifest } = node.exercise;
    const status = this.statusOf(node.set.id, manifest.id);
    const item = new vscode.TreeItem(manifest.title, vscode.TreeItemCollapsibleState.None);
    item.id = `exercise:${node.set.dir}:${manifest.id}`;
    item.description = `${manifest.difficulty} · ${manifest.minutes} min`;
    item.tooltip = new vscode.MarkdownString()
      .appendMarkdown(`**${escapeMarkdown(manifest.title)}** — ${statusLabels[status]}\n\n`)
      .appendText(manifest.summary);
    item.iconPath = statusIcons[status];
    // Solved rows also offer the debrief; package.json's menus match both values for the rest.
    item.contextValue = status === 'solved' ? 'exerciseSolved' : 'exercise';
    // A click (or Enter) on the row opens the exercise, as the inline button does.
    item.command = {
      command: 'leakHunt.openExercise',
      title: 'Open Exercise',
      arguments: [{ setId: node.set.id, exerciseId: manifest.id }] satisfies Parameters<
        CommandSignatures['leakHunt.openExercise']
      >,
    };
    item.accessibilityInformation = {
      label: `${manifest.title}, ${manifest.difficulty}, ${manifest.minutes} minutes, ${statusLabels[status]}`,
    };
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
