import type { AllocationSite, EdgeRow, NodeRow } from '../../src/extension/protocol';
import { busy, el, errorBox, icon } from './dom';
import { formatBytes } from './format';
import { distanceText, displayPath, edgeCell, heapText, type OpenSource } from './heapCells';
import { HostRequestError, RequestDroppedError, type HostClient } from './hostClient';
import { TreeGrid } from './treeGrid';

/** The object a pane shows: a node of one open snapshot. */
export interface SelectedObject {
  snapshotId: string;
  node: NodeRow;
}

/**
 * The pane under a view's table: who retains the selected object (an expandable tree, shortest
 * route first, weak edges and cycles marked) and, when the snapshot has allocation traces, the
 * stack that allocated it, each frame a link to its source.
 */
export class RetainersPane {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly tree: TreeGrid<EdgeRow>;
  private readonly stack: HTMLElement;
  private shown: SelectedObject | undefined;
  /** Bumped per selection so a late allocation stack for an earlier object is dropped. */
  private generation = 0;

  constructor(
    id: string,
    private readonly client: HostClient,
    private readonly openSource: OpenSource,
  ) {
    this.element = el('section', 'retainers-pane');
    this.element.setAttribute('aria-label', 'Retainers of the selected object');
    this.title = el('h3', 'pane-title', 'Retainers');
    this.tree = new TreeGrid<EdgeRow>({
      id,
      label: 'Retainers of the selected object',
      noun: 'retainers',
      pageSize: 50,
      columns: [
        { label: 'Retainer', numeric: false, cell: (edge) => edgeCell(edge, this.openSource) },
        { label: 'Distance', numeric: true, cell: (edge) => distanceText(edge.node.distance) },
        { label: 'Shallow size', numeric: true, cell: (edge) => formatBytes(edge.node.selfSize) },
        {
          label: 'Retained size',
          numeric: true,
          cell: (edge) => formatBytes(edge.node.retainedSize),
        },
      ],
      key: (edge) => `${edge.edgeType}:${edge.edgeName}@${edge.node.id}`,
      // A root has nothing above it, and a cycle leads back down the route already shown.
      expandable: (edge) => edge.node.distance > 0 && !edge.cycle,
    });
    this.stack = el('div', 'allocation-stack');
    const body = el('div', 'pane-body');
    body.append(this.tree.element, this.stack);
    this.element.append(this.title, body);
    this.element.hidden = true;
  }

  setActive(active: boolean): void {
    this.tree.setActive(active);
  }

  /** Shows the retainers (and allocation stack) of an object, or hides the pane. */
  show(selected: SelectedObject | undefined): void {
    const same =
      selected !== undefined &&
      this.shown?.snapshotId === selected.snapshotId &&
      this.shown.node.node === selected.node.node;
    if (same) return;
    this.shown = selected;
    this.generation++;
    this.element.hidden = selected === undefined;
    this.stack.replaceChildren();
    if (!selected) {
      this.tree.setSource(undefined);
      return;
    }
    const { snapshotId, node } = selected;
    this.title.textContent = `Retainers of ${heapText(node.className)} @${node.id}`;
    this.tree.setSource((parent, start, count, path) =>
      this.client.request('retainersPage', {
        snapshotId,
        node: parent ? parent.node.node : node.node,
        start,
        count,
        // The route walked so far: a retainer among them closes a cycle.
        ancestors: [node.node, ...path.map((edge) => edge.node.node)],
      }),
    );
    this.loadStack(selected);
  }

  private loadStack({ snapshotId, node }: SelectedObject): void {
    const generation = this.generation;
    this.stack.replaceChildren(busy('Loading the allocation stack…'));
    this.client.request('allocationStack', { snapshotId, node: node.node }).then(
      (site) => {
        if (generation === this.generation) this.renderStack(site);
      },
      (error: unknown) => {
        if (generation !== this.generation || error instanceof RequestDroppedError) return;
        const shown = error instanceof HostRequestError ? error.shown : { message: String(error) };
        this.stack.replaceChildren(errorBox(shown.message, shown.nextStep));
      },
    );
  }

  private renderStack(site: AllocationSite | null): void {
    const heading = el('h4', 'pane-subtitle', 'Allocation stack');
    if (!site || site.stack.length === 0) {
      this.stack.replaceChildren(
        heading,
        el(
          'p',
          'muted',
          'No allocation stack: take the snapshot with allocation tracking on (Find Leak does).',
        ),
      );
      return;
    }
    const list = el('ol', 'frames');
    list.setAttribute('aria-label', 'Allocation stack, innermost frame first');
    site.stack.forEach((frame, index) => {
      const item = el('li', `frame frame-${frame.origin}`);
      if (index === site.userFrame) item.classList.add('user-frame');
      const file = displayPath(frame.file);
      const link = el('button', 'frame-link');
      link.type = 'button';
      link.title = `Go to ${file}:${frame.line}`;
      link.append(
        el('span', 'frame-function', frame.functionName || '(anonymous)'),
        el('span', 'frame-file', ` ${file}:${frame.line}`),
      );
      link.addEventListener('click', () =>
        this.openSource({ file: frame.file, line: frame.line, column: frame.column }),
      );
      item.append(link);
      list.append(item);
    });
    this.stack.replaceChildren(heading, list);
    if (site.line) {
      const line = site.line;
      const where = el('p', 'frame-line');
      const go = el('button', 'frame-link');
      go.type = 'button';
      go.append(
        icon('go-to-file'),
        el('span', undefined, ` ${displayPath(line.file)}:${line.line}`),
      );
      go.addEventListener('click', () => this.openSource(line));
      where.append(el('span', 'muted', 'Allocated at '), go);
      this.stack.append(where);
    }
  }
}
