import type { ExplorerSelection, NodeRow, SnapshotInfo } from '../../src/extension/protocol';
import { el } from './dom';
import { formatBytes } from './format';
import { distanceText, objectCell, type OpenSource } from './heapCells';
import type { HostClient } from './hostClient';
import { RetainersPane } from './retainersPane';
import { SnapshotPicker } from './snapshotPicker';
import type { UiState } from './state';
import { TreeGrid } from './treeGrid';

/**
 * The Dominators tab: the dominator tree, largest retained subtrees first. An object's children
 * are the objects only reachable through it: freeing it frees them all.
 */
export class DominatorsView {
  readonly element: HTMLElement;
  private readonly frame: SnapshotPicker;
  private readonly tree: TreeGrid<NodeRow>;
  private readonly retainers: RetainersPane;
  private snapshotId: string | undefined;

  constructor(
    private readonly client: HostClient,
    private readonly state: UiState['dominators'],
    save: () => void,
    openSource: OpenSource,
  ) {
    this.frame = new SnapshotPicker('dominators', 'dominators', state, save, (id) => this.show(id));
    this.element = this.frame.element;
    this.retainers = new RetainersPane('dominators-retainers', client, openSource);
    this.tree = new TreeGrid<NodeRow>({
      id: 'dominators-table',
      label: 'Dominator tree, largest retained first',
      noun: 'top dominators',
      state: state.tree,
      columns: [
        { label: 'Object', numeric: false, cell: (node) => objectCell(node, openSource) },
        { label: 'Distance', numeric: true, cell: (node) => distanceText(node.distance) },
        { label: 'Shallow size', numeric: true, cell: (node) => formatBytes(node.selfSize) },
        { label: 'Retained size', numeric: true, cell: (node) => formatBytes(node.retainedSize) },
      ],
      key: (node) => `@${node.id}`,
      // Retaining more than itself means it dominates something.
      expandable: (node) => node.retainedSize > node.selfSize,
      onSelect: (node) => {
        const snapshotId = this.snapshotId;
        this.retainers.show(node && snapshotId ? { snapshotId, node } : undefined);
      },
      onStateChange: (tree) => {
        this.state.tree = tree;
        save();
      },
    });
    const split = el('div', 'split-view');
    const top = el('div', 'split-top');
    top.append(this.tree.element);
    split.append(top, this.retainers.element);
    this.frame.content.append(split);
  }

  setActive(active: boolean): void {
    this.tree.setActive(active);
    this.retainers.setActive(active);
  }

  invalidate(): void {
    this.frame.invalidate();
  }

  select(selection: ExplorerSelection): void {
    this.frame.selectSnapshot(selection);
  }

  setSnapshots(snapshots: readonly SnapshotInfo[]): void {
    this.frame.setSnapshots(snapshots);
  }

  private show(snapshotId: string | undefined): void {
    this.snapshotId = snapshotId;
    this.retainers.show(undefined);
    this.tree.setSource(
      snapshotId === undefined
        ? undefined
        : (parent, start, count) =>
            this.client.request('dominatorsPage', { snapshotId, node: parent?.node, start, count }),
    );
  }
}
