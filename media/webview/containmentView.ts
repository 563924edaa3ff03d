import type {
  EdgeRow,
  ExplorerSelection,
  NodeRow,
  SnapshotInfo,
} from '../../src/extension/protocol';
import { el } from './dom';
import { formatBytes } from './format';
import { distanceText, edgeCell, heapText, objectCell, type OpenSource } from './heapCells';
import type { HostClient } from './hostClient';
import { RetainersPane } from './retainersPane';
import { SnapshotPicker } from './snapshotPicker';
import type { UiState } from './state';
import { TreeGrid } from './treeGrid';

/** A Containment row: a module scope at the top, or a reference (from the root or an object). */
type ContainmentItem =
  { kind: 'module'; label: string; node: NodeRow } | { kind: 'edge'; edge: EdgeRow };

function nodeOf(item: ContainmentItem): NodeRow {
  return item.kind === 'module' ? item.node : item.edge.node;
}

/**
 * The Containment tab, like DevTools' Containment: the heap from the top (the GC roots, the
 * global object, and here also each module's scope) down through references, as deep as clicked.
 */
export class ContainmentView {
  readonly element: HTMLElement;
  private readonly frame: SnapshotPicker;
  private readonly tree: TreeGrid<ContainmentItem>;
  private readonly retainers: RetainersPane;
  private snapshotId: string | undefined;

  constructor(
    private readonly client: HostClient,
    private readonly state: UiState['containment'],
    save: () => void,
    openSource: OpenSource,
  ) {
    this.frame = new SnapshotPicker('containment', 'containment', state, save, (id) =>
      this.show(id),
    );
    this.element = this.frame.element;
    this.retainers = new RetainersPane('containment-retainers', client, openSource);
    this.tree = new TreeGrid<ContainmentItem>({
      id: 'containment-table',
      label: 'Heap containment from the roots',
      noun: 'roots',
      state: state.tree,
      columns: [
        {
          label: 'Object',
          numeric: false,
          cell: (item) => {
            if (item.kind === 'edge') return edgeCell(item.edge, openSource);
            const cell = document.createDocumentFragment();
            cell.append(
              el('span', 'edge-name', heapText(item.label)),
              el('span', 'edge-separator', ' :: '),
            );
            cell.append(objectCell(item.node, openSource));
            return cell;
          },
        },
        { label: 'Distance', numeric: true, cell: (item) => distanceText(nodeOf(item).distance) },
        {
          label: 'Shallow size',
          numeric: true,
          cell: (item) => formatBytes(nodeOf(item).selfSize),
        },
        {
          label: 'Retained size',
          numeric: true,
          cell: (item) => formatBytes(nodeOf(item).retainedSize),
        },
      ],
      key: (item) =>
        item.kind === 'module'
          ? `module:${item.label}`
          : `${item.edge.edgeType}:${item.edge.edgeName}@${item.edge.node.id}`,
      expandable: (item) => nodeOf(item).hasChildren,
      onSelect: (item) => {
        const snapshotId = this.snapshotId;
        this.retainers.show(item && snapshotId ? { snapshotId, node: nodeOf(item) } : undefined);
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
    if (snapshotId === undefined) {
      this.tree.setSource(undefined);
      return;
    }
    this.tree.setSource(async (parent, start, count) => {
      if (!parent) {
        // The top is small (a few roots and the modules): fetched whole, paged here.
        const top = await this.client.request('containment', { snapshotId });
        const rows: ContainmentItem[] = [
          ...top.roots.map((edge) => ({ kind: 'edge' as const, edge })),
          ...top.modules.map(({ label, row }) => ({ kind: 'module' as const, label, node: row })),
        ];
        return { total: rows.length, start, rows: rows.slice(start, start + count) };
      }
      const page = await this.client.request('childrenPage', {
        snapshotId,
        node: nodeOf(parent).node,
        start,
        count,
      });
      return { ...page, rows: page.rows.map((edge) => ({ kind: 'edge' as const, edge })) };
    });
  }
}
