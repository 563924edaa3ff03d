import type { Page, SortOrder } from '../../src/extension/protocol';
import { busy, el, errorBox, icon } from './dom';
import { HostRequestError, RequestDroppedError } from './hostClient';
import { formatCount } from './format';

/** One column of a {@link PagedTable}. */
export interface Column<Row, Key extends keyof Row & string> {
  key: Key;
  label: string;
  numeric: boolean;
  /** Cell text (always rendered as text). */
  text(row: Row): string;
  /** Optional extra class for the cell, e.g. growth vs. shrink colouring. */
  tone?(row: Row): string | undefined;
}

/** Sort and filter of a table: what the host needs to produce a page. */
export interface TableQuery<Key extends string> {
  sort: SortOrder<Key>;
  filter: string;
}

/** Fetches one page of rows for a query. */
export type PageSource<Row, Key extends string> = (
  query: TableQuery<Key>,
  start: number,
  count: number,
) => Promise<Page<Row>>;

export interface PagedTableOptions<Row, Key extends keyof Row & string> {
  id: string;
  label: string;
  /** Plural noun for the count line ("classes"). */
  noun: string;
  columns: Column<Row, Key>[];
  query: TableQuery<Key>;
  /** Called after the user changed sort or filter, so the owner can persist it. */
  onQueryChange(query: TableQuery<Key>): void;
  pageSize?: number;
}

const filterDelayMs = 250;
/** Every body row has this height (CSS pins it), so a row's position is its index times it. */
const rowHeight = 22;
/** Rows rendered above and below the visible ones, so short scrolls show no gaps. */
const overscan = 10;
/** Pages kept in memory; the ones farthest from the view are dropped first. */
const maxCachedPages = 12;
/** Quiet time after the last scroll before missing pages are fetched. */
const settleDelayMs = 60;

/**
 * A sortable, filterable table over a host-side list it never holds whole: it is windowed
 * (only the rows in view are in the DOM, spacers stand in for the rest) and fetches the
 * ~100-row pages the view needs, so scrolling to the end of 50,000 classes asks for one page.
 */
export class PagedTable<Row, Key extends keyof Row & string> {
  readonly element: HTMLElement;
  private readonly filterInput: HTMLInputElement;
  private readonly countLine: HTMLElement;
  private readonly status: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly table: HTMLTableElement;
  private readonly head: HTMLTableSectionElement;
  private readonly headers = new Map<Key, HTMLTableCellElement>();
  private readonly body: HTMLTableSectionElement;
  private readonly topSpacer: HTMLElement;
  private readonly bottomSpacer: HTMLElement;
  private readonly pageSize: number;
  private source: PageSource<Row, Key> | undefined;
  private query: TableQuery<Key>;
  private readonly pages = new Map<number, Row[]>();
  private readonly inFlight = new Set<number>();
  private readonly failed = new Set<number>();
  private total: number | undefined;
  /** Bumped on every reload so answers to an older query are ignored. */
  private generation = 0;
  private filterTimer: ReturnType<typeof setTimeout> | undefined;
  private renderQueued = false;
  private fetchTimer: ReturnType<typeof setTimeout> | undefined;
  /** Hidden tables do not fetch: a comparison page costs the host a diff. */
  private active = false;
  private stale = false;

  constructor(private readonly options: PagedTableOptions<Row, Key>) {
    this.pageSize = options.pageSize ?? 100;
    this.query = { sort: { ...options.query.sort }, filter: options.query.filter };
    this.element = el('div', 'table-view');

    const toolbar = el('div', 'table-toolbar');
    const filterBox = el('div', 'filter');
    filterBox.append(icon('filter', 'filter-icon'));
    this.filterInput = el('input', 'input');
    this.filterInput.type = 'search';
    this.filterInput.id = `${options.id}-filter`;
    this.filterInput.placeholder = `Filter ${options.noun}`;
    this.filterInput.setAttribute('aria-label', `Filter ${options.noun} by name`);
    this.filterInput.value = this.query.filter;
    this.filterInput.addEventListener('input', () => this.scheduleFilter());
    this.filterInput.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') this.applyFilter();
    });
    filterBox.append(this.filterInput);
    this.countLine = el('span', 'table-count');
    this.countLine.setAttribute('aria-live', 'polite');
    toolbar.append(filterBox, this.countLine);

    this.status = el('div', 'table-status');
    // Focusable so keyboard users can scroll it with the arrow and page keys.
    this.scroller = el('div', 'table-scroll');
    this.scroller.tabIndex = 0;
    this.scroller.setAttribute('aria-label', `${options.label} (scroll for more)`);
    this.table = el('table', 'grid');
    this.table.id = options.id;
    this.table.setAttribute('aria-label', options.label);
    const headRow = el('tr');
    headRow.setAttribute('aria-rowindex', '1');
    for (const column of options.columns) {
      const th = el('th', column.numeric ? 'num' : 'name');
      th.scope = 'col';
      const button = el('button', 'sort');
      button.type = 'button';
      button.append(el('span', undefined, column.label), icon('arrow-down', 'sort-icon'));
      button.addEventListener('click', () => this.sortBy(column));
      th.append(button);
      headRow.append(th);
      this.headers.set(column.key, th);
    }
    this.head = this.table.createTHead();
    this.head.append(headRow);
    this.body = this.table.createTBody();
    this.topSpacer = this.spacer();
    this.bottomSpacer = this.spacer();
    this.scroller.append(this.table);
    this.element.append(toolbar, this.status, this.scroller);

    this.scroller.addEventListener('scroll', () => this.queueRender(), { passive: true });
    new ResizeObserver(() => this.queueRender()).observe(this.scroller);
    this.renderHeaders();
  }

  /** Points the table at a data source (e.g. another snapshot); loads it once visible. */
  setSource(source: PageSource<Row, Key> | undefined): void {
    this.source = source;
    this.reload();
  }

  /** Called when the table's tab is shown or hidden; a stale table loads when shown. */
  setActive(active: boolean): void {
    this.active = active;
    if (active && this.stale) this.reload();
    else if (active) this.queueRender();
  }

  /** Drops every cached page and starts again from the top (or when next shown). */
  private reload(): void {
    this.generation++;
    clearTimeout(this.fetchTimer);
    this.pages.clear();
    this.inFlight.clear();
    this.failed.clear();
    this.total = undefined;
    this.body.replaceChildren();
    this.table.removeAttribute('aria-rowcount');
    this.status.replaceChildren();
    this.countLine.textContent = '';
    this.stale = !this.active;
    if (!this.source || this.stale) return;
    this.scroller.scrollTop = 0;
    this.fetch(0);
  }

  private fetch(index: number): void {
    const source = this.source;
    if (!source || this.pages.has(index) || this.inFlight.has(index) || this.failed.has(index))
      return;
    const generation = this.generation;
    this.inFlight.add(index);
    if (this.total === undefined)
      this.status.replaceChildren(busy(`Loading ${this.options.noun}…`));
    source(
      { sort: { ...this.query.sort }, filter: this.query.filter },
      index * this.pageSize,
      this.pageSize,
    ).then(
      (page) => {
        if (generation !== this.generation) return;
        this.inFlight.delete(index);
        this.pages.set(index, page.rows);
        this.total = page.total;
        this.evictFarPages(index);
        this.status.replaceChildren();
        this.renderCount();
        this.queueRender();
      },
      (error: unknown) => {
        if (generation !== this.generation || error instanceof RequestDroppedError) return;
        this.inFlight.delete(index);
        // Not retried on every scroll; a new sort, filter or source clears it.
        this.failed.add(index);
        const shown =
          error instanceof HostRequestError
            ? error.shown
            : { message: String(error), nextStep: 'Reopen the Heap Explorer.' };
        this.status.replaceChildren(errorBox(shown.message, shown.nextStep));
      },
    );
  }

  private evictFarPages(near: number): void {
    if (this.pages.size <= maxCachedPages) return;
    const byDistance = [...this.pages.keys()].sort(
      (a, b) => Math.abs(b - near) - Math.abs(a - near),
    );
    for (const index of byDistance.slice(0, this.pages.size - maxCachedPages))
      this.pages.delete(index);
  }

  /** Coalesces scroll events and page arrivals into one render per frame. */
  private queueRender(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  /** Renders the rows in view (plus overscan) and fetches the pages they live on. */
  private render(): void {
    const total = this.total;
    const height = this.scroller.clientHeight;
    if (total === undefined || height === 0) return;
    this.table.setAttribute('aria-rowcount', String(total + 1));
    const top = Math.max(0, this.scroller.scrollTop - this.head.offsetHeight);
    const firstVisible = Math.floor(top / rowHeight);
    const first = Math.max(0, firstVisible - overscan);
    const last = Math.min(total, firstVisible + Math.ceil(height / rowHeight) + overscan);
    this.fetchWhenSettled(first, last);

    const rows: HTMLElement[] = [];
    for (let index = first; index < last; index++) {
      const row = this.pages.get(Math.floor(index / this.pageSize))?.[index % this.pageSize];
      rows.push(row === undefined ? this.placeholderRow(index) : this.row(row, index));
    }
    this.topSpacer.style.height = `${first * rowHeight}px`;
    this.bottomSpacer.style.height = `${(total - last) * rowHeight}px`;
    this.body.replaceChildren(this.topSpacer, ...rows, this.bottomSpacer);
  }

  /** Fetches the pages under rows `[first, last)` once scrolling pauses, not the ones flown past. */
  private fetchWhenSettled(first: number, last: number): void {
    clearTimeout(this.fetchTimer);
    this.fetchTimer = setTimeout(() => {
      const lastPage = Math.floor((last - 1) / this.pageSize);
      for (let page = Math.floor(first / this.pageSize); page <= lastPage; page++) this.fetch(page);
    }, settleDelayMs);
  }

  private row(row: Row, index: number): HTMLElement {
    const tr = el('tr', 'row');
    tr.setAttribute('aria-rowindex', String(index + 2));
    for (const column of this.options.columns) {
      const tone = column.tone?.(row);
      const td = el('td', `${column.numeric ? 'num' : 'name'}${tone ? ` ${tone}` : ''}`);
      td.textContent = column.text(row);
      if (!column.numeric) td.title = td.textContent;
      tr.append(td);
    }
    return tr;
  }

  private placeholderRow(index: number): HTMLElement {
    const tr = el('tr', 'placeholder');
    tr.setAttribute('aria-rowindex', String(index + 2));
    const td = el('td', 'muted', '…');
    td.colSpan = this.options.columns.length;
    tr.append(td);
    return tr;
  }

  private spacer(): HTMLElement {
    const tr = el('tr', 'spacer');
    tr.setAttribute('aria-hidden', 'true');
    const td = el('td');
    td.colSpan = this.options.columns.length;
    tr.append(td);
    return tr;
  }

  private sortBy(column: Column<Row, Key>): void {
    const current = this.query.sort;
    this.query.sort =
      current.column === column.key
        ? { column: column.key, descending: !current.descending }
        : { column: column.key, descending: column.numeric };
    this.renderHeaders();
    this.options.onQueryChange({ sort: { ...this.query.sort }, filter: this.query.filter });
    this.reload();
  }

  private scheduleFilter(): void {
    clearTimeout(this.filterTimer);
    this.filterTimer = setTimeout(() => this.applyFilter(), filterDelayMs);
  }

  private applyFilter(): void {
    clearTimeout(this.filterTimer);
    const filter = this.filterInput.value.trim();
    if (filter === this.query.filter) return;
    this.query.filter = filter;
    this.options.onQueryChange({ sort: { ...this.query.sort }, filter });
    this.reload();
  }

  private renderHeaders(): void {
    for (const [key, th] of this.headers) {
      if (key === this.query.sort.column) {
        th.setAttribute('aria-sort', this.query.sort.descending ? 'descending' : 'ascending');
      } else {
        th.removeAttribute('aria-sort');
      }
    }
  }

  private renderCount(): void {
    const total = this.total ?? 0;
    const noun = this.options.noun;
    const filtered = this.query.filter ? ` matching “${this.query.filter}”` : '';
    this.countLine.textContent =
      total === 0 ? `No ${noun}${filtered}` : `${formatCount(total)} ${noun}${filtered}`;
  }
}
