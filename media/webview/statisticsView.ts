import type {
  ExplorerSelection,
  HeapStatistics,
  SnapshotInfo,
  TreemapNode,
} from '../../src/extension/protocol';
import { busy, el, errorBox, iconButton } from './dom';
import { formatBytes } from './format';
import { heapText } from './heapCells';
import { HostRequestError, RequestDroppedError, type HostClient } from './hostClient';
import { SnapshotPicker } from './snapshotPicker';
import type { UiState } from './state';
import { squarify, type Rect } from './treemapLayout';

const svgNs = 'http://www.w3.org/2000/svg';

/** The kinds DevTools' Statistics pie shows, in its order, each with a chart colour. */
const kinds: readonly { key: keyof HeapStatistics; label: string; colour: string }[] = [
  { key: 'code', label: 'Code', colour: 'var(--vscode-charts-orange)' },
  { key: 'strings', label: 'Strings', colour: 'var(--vscode-charts-red)' },
  { key: 'jsArrays', label: 'JS arrays', colour: 'var(--vscode-charts-green)' },
  { key: 'typedArrays', label: 'Typed arrays', colour: 'var(--vscode-charts-blue)' },
  { key: 'system', label: 'System objects', colour: 'var(--vscode-charts-yellow)' },
  { key: 'other', label: 'Other', colour: 'var(--vscode-charts-purple)' },
];

/** Colours of the treemap's top-level subtrees; their descendants keep the colour. */
const treemapColours = [
  'var(--vscode-charts-blue)',
  'var(--vscode-charts-green)',
  'var(--vscode-charts-orange)',
  'var(--vscode-charts-purple)',
  'var(--vscode-charts-yellow)',
  'var(--vscode-charts-red)',
];
const treemapWidth = 960;
const treemapHeight = 420;
/** Room for a subtree's label above its children, when the subtree is big enough to show it. */
const headerHeight = 16;
const depth = 3;
const breadth = 12;

/** A subtree's name as shown (heap text, escaped like every other view's). */
function label(node: TreemapNode): string {
  return heapText(
    node.name && node.name !== node.className ? `${node.className} ${node.name}` : node.className,
  );
}

/**
 * The Statistics tab: memory by kind (code, strings, JS arrays, typed arrays, system, other) as
 * bars, and the dominator tree as a treemap, drawn in SVG: every rectangle a subtree, its area
 * the subtree's retained size. Click (or Enter on) a rectangle to zoom into it.
 */
export class StatisticsView {
  readonly element: HTMLElement;
  private readonly frame: SnapshotPicker;
  private readonly bars: HTMLElement;
  private readonly mapHeader: HTMLElement;
  private readonly map: HTMLElement;
  private readonly detail: HTMLElement;
  private readonly up: HTMLButtonElement;
  private snapshotId: string | undefined;
  /** Zoom path: the subtrees clicked into, the root's first. */
  private zoom: TreemapNode[] = [];
  private generation = 0;
  private active = false;
  private stale = false;

  constructor(
    private readonly client: HostClient,
    state: UiState['statistics'],
    save: () => void,
  ) {
    this.frame = new SnapshotPicker('statistics', 'statistics', state, save, (id) => {
      this.snapshotId = id;
      this.zoom = [];
      this.reload();
    });
    this.element = this.frame.element;
    this.bars = el('div', 'kind-bars');
    this.bars.setAttribute('role', 'table');
    this.bars.setAttribute('aria-label', 'Memory by kind');
    this.mapHeader = el('div', 'view-toolbar treemap-toolbar');
    this.up = iconButton('arrow-up', 'Up', 'button secondary');
    this.up.addEventListener('click', () => this.zoomOut());
    this.map = el('div', 'treemap-box');
    this.detail = el('p', 'treemap-detail');
    this.detail.setAttribute('aria-live', 'polite');
    this.frame.content.append(
      el('h3', 'pane-title', 'Memory by kind'),
      this.bars,
      el('h3', 'pane-title', 'Dominator tree'),
      this.mapHeader,
      this.map,
      this.detail,
    );
  }

  setActive(active: boolean): void {
    this.active = active;
    if (active && this.stale) this.reload();
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

  private reload(): void {
    this.generation++;
    this.stale = !this.active;
    const snapshotId = this.snapshotId;
    if (snapshotId === undefined || this.stale) return;
    const generation = this.generation;
    this.bars.replaceChildren(busy('Counting memory by kind…'));
    this.map.replaceChildren(busy('Laying out the dominator tree…'));
    this.client.request('statistics', { snapshotId }).then(
      (statistics) => generation === this.generation && this.renderBars(statistics),
      (error: unknown) => generation === this.generation && this.fail(this.bars, error),
    );
    this.loadTreemap(undefined);
  }

  private loadTreemap(node: number | undefined): void {
    const snapshotId = this.snapshotId;
    if (snapshotId === undefined) return;
    const generation = this.generation;
    this.client.request('treemap', { snapshotId, node, depth, breadth }).then(
      (tree) => {
        if (generation !== this.generation) return;
        if (node === undefined) this.zoom = [tree];
        else this.zoom.push(tree);
        this.renderTreemap();
      },
      (error: unknown) => generation === this.generation && this.fail(this.map, error),
    );
  }

  private fail(where: HTMLElement, error: unknown): void {
    if (error instanceof RequestDroppedError) return;
    const shown = error instanceof HostRequestError ? error.shown : { message: String(error) };
    where.replaceChildren(errorBox(shown.message, shown.nextStep));
  }

  private renderBars(statistics: HeapStatistics): void {
    const rows: HTMLElement[] = [];
    const largest = Math.max(...kinds.map((kind) => statistics[kind.key]), 1);
    for (const kind of kinds) {
      const bytes = statistics[kind.key];
      const name = el('span', 'kind-label', kind.label);
      const track = el('span', 'kind-track');
      const bar = el('span', 'kind-bar');
      bar.style.width = `${(bytes / largest) * 100}%`;
      bar.style.background = kind.colour;
      track.append(bar);
      const share = statistics.total > 0 ? Math.round((bytes / statistics.total) * 100) : 0;
      const size = el('span', 'kind-size', `${formatBytes(bytes)} (${share}%)`);
      const row = el('div', 'kind-row');
      row.setAttribute('role', 'row');
      for (const cell of [name, track, size]) cell.setAttribute('role', 'cell');
      row.append(name, track, size);
      rows.push(row);
    }
    const total = el('div', 'kind-row kind-total');
    total.setAttribute('role', 'row');
    const totalLabel = el('span', 'kind-label', 'Total');
    const totalSize = el('span', 'kind-size', formatBytes(statistics.total));
    const spacer = el('span');
    for (const cell of [totalLabel, spacer, totalSize]) cell.setAttribute('role', 'cell');
    total.append(totalLabel, spacer, totalSize);
    this.bars.replaceChildren(...rows, total);
  }

  private zoomOut(): void {
    if (this.zoom.length <= 1) return;
    this.zoom.pop();
    this.renderTreemap();
  }

  private renderTreemap(): void {
    const top = this.zoom.at(-1);
    if (!top) return;
    const crumbs = el('span', 'treemap-path', this.zoom.map(label).join(' › '));
    this.up.hidden = this.zoom.length <= 1;
    this.mapHeader.replaceChildren(this.up, crumbs);
    const svg = document.createElementNS(svgNs, 'svg');
    svg.setAttribute('class', 'treemap');
    svg.setAttribute('viewBox', `0 0 ${treemapWidth} ${treemapHeight}`);
    svg.setAttribute('role', 'group');
    svg.setAttribute('aria-label', `Dominator treemap of ${label(top)}`);
    this.drawChildren(svg, top, { x: 0, y: 0, width: treemapWidth, height: treemapHeight }, 0, -1);
    this.map.replaceChildren(svg);
    this.detail.textContent = `${label(top)} retains ${formatBytes(top.retainedSize)}. Click a rectangle to zoom in.`;
  }

  /** Lays out `parent`'s children (and what was folded into "other") inside `rect`. */
  private drawChildren(
    svg: SVGElement,
    parent: TreemapNode,
    rect: Rect,
    level: number,
    colourIndex: number,
  ): void {
    const parts: { node?: TreemapNode; size: number; label: string }[] = parent.children.map(
      (node) => ({ node, size: node.retainedSize, label: label(node) }),
    );
    if (parent.other && parent.other.retainedSize > 0)
      parts.push({
        size: parent.other.retainedSize,
        label: `${parent.other.count} smaller subtrees`,
      });
    // The parent's own bytes, and anything not in its listed children, stay as empty space.
    const listed = parts.reduce((sum, part) => sum + part.size, 0);
    const rest = Math.max(0, parent.retainedSize - listed);
    const sizes = [...parts.map((part) => part.size), ...(rest > 0 ? [rest] : [])];
    const rects = squarify(sizes, rect);
    parts.forEach((part, index) => {
      const box = rects[index];
      if (box.width < 2 || box.height < 2) return;
      const colour =
        treemapColours[(colourIndex < 0 ? index : colourIndex) % treemapColours.length];
      const group = document.createElementNS(svgNs, 'g');
      const shape = document.createElementNS(svgNs, 'rect');
      shape.setAttribute('x', String(box.x));
      shape.setAttribute('y', String(box.y));
      shape.setAttribute('width', String(box.width));
      shape.setAttribute('height', String(box.height));
      shape.style.fill = colour;
      // Tints under the editor's text colour, darker (more opaque) the deeper the subtree.
      shape.style.fillOpacity = String(0.3 + 0.12 * level);
      const title = document.createElementNS(svgNs, 'title');
      const text = `${part.label}: ${formatBytes(part.size)} retained`;
      title.textContent = text;
      group.append(title, shape);
      if (part.node) {
        const node = part.node;
        group.setAttribute('tabindex', '0');
        group.setAttribute('role', 'button');
        group.setAttribute('aria-label', `${text}, @${node.id}`);
        const zoomIn = (): void => this.loadTreemap(node.node);
        group.addEventListener('click', (event) => {
          event.stopPropagation();
          zoomIn();
        });
        group.addEventListener('keydown', (event) => {
          if (event.key === 'Enter' || event.key === ' ') {
            event.preventDefault();
            zoomIn();
          }
        });
        const show = (): void => {
          this.detail.textContent = `${text} · @${node.id} · self ${formatBytes(node.selfSize)}`;
        };
        group.addEventListener('mouseenter', show);
        group.addEventListener('focus', show);
      }
      if (box.width > 40 && box.height > 14) {
        const caption = document.createElementNS(svgNs, 'text');
        caption.setAttribute('x', String(box.x + 4));
        caption.setAttribute('y', String(box.y + 12));
        // Cut to what fits, about 6.5 px a character at 11 px.
        const room = Math.floor((box.width - 8) / 6.5);
        caption.textContent =
          part.label.length > room ? `${part.label.slice(0, Math.max(1, room - 1))}…` : part.label;
        group.append(caption);
      }
      svg.append(group);
      const inner: Rect = {
        x: box.x + 2,
        y: box.y + headerHeight,
        width: box.width - 4,
        height: box.height - headerHeight - 2,
      };
      if (part.node && part.node.children.length > 0 && inner.width > 24 && inner.height > 24)
        this.drawChildren(svg, part.node, inner, level + 1, colourIndex < 0 ? index : colourIndex);
    });
  }
}
