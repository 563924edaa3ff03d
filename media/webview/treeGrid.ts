import type { Page, ShownError, SortOrder } from '../../src/extension/protocol';
import { busy, el, errorBox, icon } from './dom';
import { formatCount } from './format';
import { HostRequestError, RequestDroppedError } from './hostClient';

/** One column of a {@link TreeGrid}; the first column holds the tree (indent and twisty). */
export interface TreeColumn<Item> {
  label: string;
  numeric: boolean;
  /** Cell content: text, or elements built with `el()` (heap strings always as text). */
  cell(item: Item): string | Node;
  /** Optional extra class for the cell, e.g. growth vs. shrink colouring. */
  tone?(item: Item): string | undefined;
  /** When set, the header sorts the top level by this key. */
  sortKey?: string;
}

/**
 * Fetches one page of an item's children (`parent` undefined: the top level); `path` holds the
 * items from the top level down to `parent`, inclusive.
 */
export type ChildSource<Item> = (
  parent: Item | undefined,
  start: number,
  count: number,
  path: Item[],
) => Promise<Page<Item>>;

/** What the tree keeps across hide/show: expanded and selected rows by their key paths. */
export interface TreeState {
  expanded: string[];
  selected?: string;
}

export interface TreeGridOptions<Item> {
  id: string;
  label: string;
  /** Plural noun for the top level ("classes"), for the count line and busy text. */
  noun: string;
  columns: TreeColumn<Item>[];
  /** A key unique among an item's siblings; key paths name rows across reloads. */
  key(item: Item): string;
  expandable(item: Item): boolean;
  /** Rows per fetched page (at most 200: one page is one postMessage). */
  pageSize?: number;
  sort?: SortOrder<string>;
  onSort?(sort: SortOrder<string>): void;
  /** The focused row changed (selection follows focus); `path` runs from the top level down. */
  onSelect?(item: Item | undefined, path: Item[]): void;
  state?: TreeState;
  onStateChange?(state: TreeState): void;
}

/** A loaded row, or the invisible root, with the children fetched so far. */
interface Branch<Item> {
  item: Item | undefined;
  keyPath: string;
  depth: number;
  parent: Branch<Item> | undefined;
  expanded: boolean;
  children: Branch<Item>[];
  total: number | undefined;
  loading: boolean;
  error: ShownError | undefined;
}

type VisibleRow<Item> =
  | { kind: 'item'; branch: Branch<Item>; posinset: number }
  | { kind: 'more' | 'loading' | 'error'; branch: Branch<Item> };

/** Every row has this height (CSS pins it), so a row's position is its index times it. */
const rowHeight = 22;
const overscan = 10;
const keySeparator = '\u0000';

/**
 * A virtualised tree-grid (the ARIA treegrid pattern, rows focusable): only rows in view are in
 * the DOM; children are fetched a page at a time when a row is expanded, with a "show more" row
 * for the rest; expansion and selection are kept by key path, so a reload (another sort, the
 * panel shown again) expands the same rows again as their parents arrive.
 */
export class TreeGrid<Item> {
  readonly element: HTMLElement;
  private readonly countLine: HTMLElement;
  private readonly status: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly table: HTMLTableElement;
  private readonly head: HTMLTableSectionElement;
  private readonly headers: { th: HTMLTableCellElement; column: TreeColumn<Item> }[] = [];
  private readonly body: HTMLTableSectionElement;
  private readonly pageSize: number;
  private source: ChildSource<Item> | undefined;
  private root: Branch<Item>;
  private rows: VisibleRow<Item>[] = [];
  private focusIndex = 0;
  private readonly expandedKeys: Set<string>;
  private selectedKey: string | undefined;
  private sort: SortOrder<string> | undefined;
  /** Bumped on every reload so answers for an older source or sort are ignored. */
  private generation = 0;
  private renderQueued = false;
  /** Hidden trees do not fetch. */
  private active = false;
  private stale = false;
  private restoreFocus = false;

  constructor(private readonly options: TreeGridOptions<Item>) {
    this.pageSize = Math.min(options.pageSize ?? 200, 200);
    this.sort = options.sort && { ...options.sort };
    this.expandedKeys = new Set(options.state?.expanded ?? []);
    this.selectedKey = options.state?.selected;
    this.root = this.branch(undefined, '', -1, undefined);
    this.element = el('div', 'tree-view');
    this.countLine = el('span', 'table-count');
    this.countLine.setAttribute('aria-live', 'polite');
    this.status = el('div', 'table-status');
    this.scroller = el('div', 'table-scroll');
    this.table = el('table', 'grid tree-grid');
    this.table.id = options.id;
    this.table.setAttribute('role', 'treegrid');
    this.table.setAttribute('aria-label', options.label);
    const headRow = el('tr');
    headRow.setAttribute('aria-rowindex', '1');
    for (const column of options.columns) {
      const th = el('th', column.numeric ? 'num' : 'name');
      th.scope = 'col';
      th.setAttribute('role', 'columnheader');
      if (column.sortKey !== undefined) {
        const button = el('button', 'sort');
        button.type = 'button';
        button.append(el('span', undefined, column.label), icon('arrow-down', 'sort-icon'));
        button.addEventListener('click', () => this.sortBy(column));
        th.append(button);
      } else {
        th.append(el('span', 'header-label', column.label));
      }
      headRow.append(th);
      this.headers.push({ th, column });
    }
    this.head = this.table.createTHead();
    this.head.append(headRow);
    this.body = this.table.createTBody();
    this.scroller.append(this.table);
    this.element.append(this.status, this.scroller);
    this.body.addEventListener('keydown', (event) => this.onKey(event));
    this.body.addEventListener('click', (event) => this.onClick(event));
    this.scroller.addEventListener('scroll', () => this.queueRender(), { passive: true });
    new ResizeObserver(() => this.queueRender()).observe(this.scroller);
    this.renderHeaders();
  }

  /** The "N classes" line, for the owner to place in its toolbar. */
  get count(): HTMLElement {
    return this.countLine;
  }

  /** Points the tree at a data source (another snapshot, filter); loads it once visible. */
  setSource(source: ChildSource<Item> | undefined): void {
    this.source = source;
    this.reload();
  }

  /** Called when the tree's tab is shown or hidden; a stale tree loads when shown. */
  setActive(active: boolean): void {
    this.active = active;
    if (active && this.stale) this.reload();
    else if (active) this.queueRender();
  }

  private reload(): void {
    this.generation++;
    this.root = this.branch(undefined, '', -1, undefined);
    this.rows = [];
    this.focusIndex = 0;
    this.body.replaceChildren();
    this.status.replaceChildren();
    this.countLine.textContent = '';
    this.table.removeAttribute('aria-rowcount');
    this.stale = !this.active;
    if (!this.source || this.stale) return;
    this.scroller.scrollTop = 0;
    this.restoreFocus = false;
    this.load(this.root);
  }

  private branch(
    item: Item | undefined,
    keyPath: string,
    depth: number,
    parent: Branch<Item> | undefined,
  ): Branch<Item> {
    return {
      item,
      keyPath,
      depth,
      parent,
      expanded: item === undefined,
      children: [],
      total: undefined,
      loading: false,
      error: undefined,
    };
  }

  /** Fetches the next page of a branch's children. */
  private load(branch: Branch<Item>): void {
    const source = this.source;
    if (!source || branch.loading) return;
    const generation = this.generation;
    branch.loading = true;
    branch.error = undefined;
    if (branch === this.root) this.status.replaceChildren(busy(`Loading ${this.options.noun}…`));
    this.refresh();
    source(branch.item, branch.children.length, this.pageSize, this.pathOf(branch)).then(
      (page) => {
        if (generation !== this.generation) return;
        branch.loading = false;
        branch.total = page.total;
        for (const item of page.rows) {
          const keyPath =
            (branch.keyPath === '' ? '' : branch.keyPath + keySeparator) + this.options.key(item);
          const child = this.branch(item, keyPath, branch.depth + 1, branch);
          branch.children.push(child);
          // Re-expand what was open before the reload, as its parent arrives.
          if (this.expandedKeys.has(keyPath) && this.options.expandable(item)) {
            child.expanded = true;
            this.load(child);
          }
        }
        if (branch === this.root) {
          this.status.replaceChildren();
          this.renderCount();
        }
        this.refresh();
        this.focusSelected();
      },
      (error: unknown) => {
        if (generation !== this.generation || error instanceof RequestDroppedError) return;
        branch.loading = false;
        branch.error =
          error instanceof HostRequestError
            ? error.shown
            : { message: String(error), nextStep: 'Reopen the Heap Explorer.' };
        if (branch === this.root)
          this.status.replaceChildren(errorBox(branch.error.message, branch.error.nextStep));
        this.refresh();
      },
    );
  }

  /** After a reload, puts focus back on the row that was selected, once it has arrived. */
  private focusSelected(): void {
    if (this.selectedKey === undefined) return;
    const index = this.rows.findIndex(
      (row) => row.kind === 'item' && row.branch.keyPath === this.selectedKey,
    );
    if (index < 0 || index === this.focusIndex) return;
    this.focusIndex = index;
    this.scrollIntoView(index);
    this.announceSelection();
  }

  /** Rebuilds the list of visible rows from the loaded tree and renders. */
  private refresh(): void {
    const focused = this.rows[this.focusIndex];
    const rows: VisibleRow<Item>[] = [];
    const walk = (branch: Branch<Item>): void => {
      branch.children.forEach((child, index) => {
        rows.push({ kind: 'item', branch: child, posinset: index + 1 });
        if (child.expanded) walk(child);
      });
      if (branch.error && branch !== this.root) rows.push({ kind: 'error', branch });
      else if (branch.loading && branch !== this.root) rows.push({ kind: 'loading', branch });
      else if (branch.total !== undefined && branch.children.length < branch.total)
        rows.push({ kind: 'more', branch });
    };
    walk(this.root);
    this.rows = rows;
    if (focused) {
      const same = rows.findIndex(
        (row) => row.kind === focused.kind && row.branch === focused.branch,
      );
      if (same >= 0) this.focusIndex = same;
    }
    this.focusIndex = Math.max(0, Math.min(this.focusIndex, rows.length - 1));
    this.queueRender();
  }

  private queueRender(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  private render(): void {
    const total = this.rows.length;
    if (this.root.total === undefined) return;
    this.table.setAttribute('aria-rowcount', String(total + 1));
    const height = this.scroller.clientHeight || rowHeight * 20;
    const top = Math.max(0, this.scroller.scrollTop - this.head.offsetHeight);
    const firstVisible = Math.floor(top / rowHeight);
    const first = Math.max(0, firstVisible - overscan);
    const last = Math.min(total, firstVisible + Math.ceil(height / rowHeight) + overscan);
    const hadFocus = this.body.contains(document.activeElement);
    const elements: HTMLElement[] = [this.spacer(first * rowHeight)];
    for (let index = first; index < last; index++) elements.push(this.renderRow(index));
    elements.push(this.spacer((total - last) * rowHeight));
    this.body.replaceChildren(...elements);
    if (hadFocus || this.restoreFocus) {
      this.restoreFocus = false;
      this.body.querySelector<HTMLElement>('tr[tabindex="0"]')?.focus({ preventScroll: true });
    }
  }

  private renderRow(index: number): HTMLElement {
    const row = this.rows[index];
    const tr = el('tr', row.kind === 'item' ? 'row' : `row tree-${row.kind}`);
    tr.setAttribute('role', 'row');
    tr.setAttribute('aria-rowindex', String(index + 2));
    tr.dataset.index = String(index);
    tr.tabIndex = index === this.focusIndex ? 0 : -1;
    const depth = row.kind === 'item' ? row.branch.depth : row.branch.depth + 1;
    tr.setAttribute('aria-level', String(depth + 1));
    if (row.kind === 'item') {
      const item = row.branch.item as Item;
      const selected = row.branch.keyPath === this.selectedKey;
      tr.setAttribute('aria-selected', String(selected));
      if (selected) tr.classList.add('selected');
      tr.setAttribute('aria-posinset', String(row.posinset));
      const siblings = row.branch.parent?.total;
      if (siblings !== undefined) tr.setAttribute('aria-setsize', String(siblings));
      const expandable = this.options.expandable(item);
      if (expandable) tr.setAttribute('aria-expanded', String(row.branch.expanded));
      this.options.columns.forEach((column, columnIndex) => {
        const tone = column.tone?.(item);
        const td = el('td', `${column.numeric ? 'num' : 'name'}${tone ? ` ${tone}` : ''}`);
        td.setAttribute('role', 'gridcell');
        if (columnIndex === 0) {
          td.classList.add('tree-cell');
          td.style.paddingLeft = `${4 + depth * 16}px`;
          const twisty = icon(
            row.branch.expanded ? 'chevron-down' : 'chevron-right',
            expandable ? 'twisty' : 'twisty leaf',
          );
          td.append(twisty);
        }
        const content = column.cell(item);
        td.append(content);
        if (!column.numeric) td.title = td.textContent ?? '';
        tr.append(td);
      });
      return tr;
    }
    const td = el('td', 'name tree-note');
    td.setAttribute('role', 'gridcell');
    td.colSpan = this.options.columns.length;
    td.style.paddingLeft = `${4 + depth * 16 + 20}px`;
    const branch = row.branch;
    if (row.kind === 'loading') td.append(busy('Loading…'));
    else if (row.kind === 'error')
      td.append(
        icon('error'),
        el('span', undefined, ` ${branch.error?.message ?? ''} (Enter to retry)`),
      );
    else {
      const left = (branch.total ?? 0) - branch.children.length;
      td.append(
        icon('ellipsis'),
        el(
          'span',
          undefined,
          ` Show ${formatCount(Math.min(left, this.pageSize))} more of ${formatCount(left)}`,
        ),
      );
    }
    tr.append(td);
    return tr;
  }

  private spacer(height: number): HTMLElement {
    const tr = el('tr', 'spacer');
    tr.setAttribute('aria-hidden', 'true');
    const td = el('td');
    td.colSpan = this.options.columns.length;
    td.style.height = `${height}px`;
    tr.append(td);
    return tr;
  }

  private onClick(event: MouseEvent): void {
    const tr = (event.target as HTMLElement).closest<HTMLElement>('tr[data-index]');
    if (!tr) return;
    // Buttons inside a cell (Go to source) act on their own.
    if ((event.target as HTMLElement).closest('button')) return;
    const index = Number(tr.dataset.index);
    this.moveFocus(index);
    const row = this.rows[index];
    if (row.kind === 'item') {
      if ((event.target as HTMLElement).classList.contains('twisty') || event.detail === 2)
        this.toggle(row.branch);
    } else this.activateNote(row);
  }

  private onKey(event: KeyboardEvent): void {
    if ((event.target as HTMLElement).closest('button')) return;
    const row = this.rows[this.focusIndex];
    if (!row) return;
    const page = Math.max(1, Math.floor(this.scroller.clientHeight / rowHeight) - 1);
    switch (event.key) {
      case 'ArrowDown':
        this.moveFocus(this.focusIndex + 1);
        break;
      case 'ArrowUp':
        this.moveFocus(this.focusIndex - 1);
        break;
      case 'PageDown':
        this.moveFocus(this.focusIndex + page);
        break;
      case 'PageUp':
        this.moveFocus(this.focusIndex - page);
        break;
      case 'Home':
        this.moveFocus(0);
        break;
      case 'End':
        this.moveFocus(this.rows.length - 1);
        break;
      case 'ArrowRight':
        if (row.kind !== 'item' || !this.options.expandable(row.branch.item as Item)) break;
        if (!row.branch.expanded) this.toggle(row.branch);
        else if (this.rows[this.focusIndex + 1]?.branch.parent === row.branch)
          this.moveFocus(this.focusIndex + 1);
        break;
      case 'ArrowLeft': {
        if (row.kind === 'item' && row.branch.expanded) {
          this.toggle(row.branch);
          break;
        }
        const parent = row.kind === 'item' ? row.branch.parent : row.branch;
        const index = this.rows.findIndex((r) => r.kind === 'item' && r.branch === parent);
        if (index >= 0) this.moveFocus(index);
        break;
      }
      case 'Enter':
      case ' ':
        if (row.kind !== 'item') this.activateNote(row);
        else if (this.options.expandable(row.branch.item as Item)) this.toggle(row.branch);
        break;
      default:
        return;
    }
    event.preventDefault();
  }

  private activateNote(row: VisibleRow<Item>): void {
    if (row.kind === 'more' || row.kind === 'error') this.load(row.branch);
  }

  private toggle(branch: Branch<Item>): void {
    branch.expanded = !branch.expanded;
    if (branch.expanded) this.expandedKeys.add(branch.keyPath);
    else this.expandedKeys.delete(branch.keyPath);
    if (branch.expanded && branch.total === undefined) this.load(branch);
    this.saveState();
    this.restoreFocus = true;
    this.refresh();
  }

  private moveFocus(index: number): void {
    if (this.rows.length === 0) return;
    this.focusIndex = Math.max(0, Math.min(index, this.rows.length - 1));
    const row = this.rows[this.focusIndex];
    if (row.kind === 'item' && row.branch.keyPath !== this.selectedKey) {
      this.selectedKey = row.branch.keyPath;
      this.saveState();
      this.announceSelection();
    }
    this.restoreFocus = true;
    this.scrollIntoView(this.focusIndex);
    this.queueRender();
  }

  private announceSelection(): void {
    const row = this.rows[this.focusIndex];
    if (row?.kind !== 'item') return;
    this.options.onSelect?.(row.branch.item as Item, this.pathOf(row.branch));
  }

  private pathOf(branch: Branch<Item>): Item[] {
    const path: Item[] = [];
    for (let at: Branch<Item> | undefined = branch; at?.item !== undefined; at = at.parent)
      path.unshift(at.item);
    return path;
  }

  private scrollIntoView(index: number): void {
    const head = this.head.offsetHeight;
    const top = index * rowHeight;
    const view = this.scroller.clientHeight - head;
    if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + rowHeight > this.scroller.scrollTop + view)
      this.scroller.scrollTop = top + rowHeight - view;
  }

  private sortBy(column: TreeColumn<Item>): void {
    const key = column.sortKey as string;
    this.sort =
      this.sort?.column === key
        ? { column: key, descending: !this.sort.descending }
        : { column: key, descending: column.numeric };
    this.renderHeaders();
    this.options.onSort?.({ ...this.sort });
  }

  private renderHeaders(): void {
    for (const { th, column } of this.headers) {
      if (column.sortKey !== undefined && column.sortKey === this.sort?.column)
        th.setAttribute('aria-sort', this.sort.descending ? 'descending' : 'ascending');
      else th.removeAttribute('aria-sort');
    }
  }

  private renderCount(): void {
    const total = this.root.total ?? 0;
    this.countLine.textContent =
      total === 0 ? `No ${this.options.noun}` : `${formatCount(total)} ${this.options.noun}`;
  }

  private saveState(): void {
    this.options.onStateChange?.({ expanded: [...this.expandedKeys], selected: this.selectedKey });
  }
}
