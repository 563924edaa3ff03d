import * as vscode from 'vscode';
import { readCatalog, type Catalog, type CatalogEntry } from '../exercises/catalog';
import type { Logger } from './logger';

type Node = { kind: 'set'; catalog: Catalog } | { kind: 'exercise'; entry: CatalogEntry };

/** The Exercises view: exercise sets, each with its exercises in order. */
export class ExercisesProvider implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly setDirs: () => string[],
    private readonly log: Logger,
  ) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (node?.kind === 'exercise') return [];
    if (node?.kind === 'set')
      return node.catalog.exercises.map((entry) => ({ kind: 'exercise', entry }));
    const catalogs: Node[] = [];
    for (const dir of this.setDirs()) {
      try {
        catalogs.push({ kind: 'set', catalog: await readCatalog(dir) });
      } catch (error) {
        this.log.error('exercises', `Could not read the exercise set in ${dir}`, error);
      }
    }
    return catalogs;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'set') {
      const item = new vscode.TreeItem(
        node.catalog.set.name,
        vscode.TreeItemCollapsibleState.Expanded,
      );
      item.description = node.catalog.set.version;
      item.contextValue = 'exerciseSet';
      return item;
    }
    const { manifest } = node.entry;
    const item = new vscode.TreeItem(manifest.title, vscode.TreeItemCollapsibleState.None);
    item.description = `${manifest.difficulty} · ${manifest.minutes} min`;
    item.tooltip = new vscode.MarkdownString().appendText(manifest.summary);
    item.contextValue = 'exercise';
    item.iconPath = new vscode.ThemeIcon('circle-large-outline');
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
