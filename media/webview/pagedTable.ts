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

/**
 * A sortable, filterable table that never holds all rows: it asks its source for pages of
 * ~100 rows and loads the next one when the user scrolls to the end or presses "Load more".
 */
export class PagedTable<Row, Key extends keyof Row & string> {
  readonly element: HTMLElement;
  private readonly filterInput: HTMLInputElement;
  private readonly countLine: HTMLElement;
  private readonly status: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly headers = new Map<Key, HTMLTableCellElement>();
  private readonly body: HTMLTableSectionElement;
  private readonly more: HTMLElement;
  private readonly moreButton: HTMLButtonElement;
  private readonly pageSize: number;
  private source: PageSource<Row, Key> | undefined;
  private query: TableQuery<Key>;
  private loaded = 0;
  private total: number | undefined;
  private loading = false;
  /** Bumped on every reload so answers to an older query are ignored. */
  private generation = 0;
  private filterTimer: ReturnType<typeof setTimeout> | undefined;
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
    this.scroller = el('div', 'table-scroll');
    const table = el('table', 'grid');
    table.id = options.id;
    table.setAttribute('aria-label', options.label);
    const headRow = el('tr');
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
    table.createTHead().append(headRow);
    this.body = table.createTBody();

    this.more = el('div', 'table-more');
    this.moreButton = el('button', 'button secondary', 'Load more');
    this.moreButton.type = 'button';
    this.moreButton.addEventListener('click', () => void this.loadMore());
    this.more.append(this.moreButton);
    this.scroller.append(table, this.more);
    this.element.append(toolbar, this.status, this.scroller);

    // Scrolling to the end loads the next page; the button stays for keyboard users.
    new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) void this.loadMore();
      },
      { root: this.scroller },
    ).observe(this.more);
    this.renderHeaders();
    this.renderMore();
  }

  /** Points the table at a data source (e.g. another snapshot); loads it once visible. */
  setSource(source: PageSource<Row, Key> | undefined): void {
    this.source = source;
    void this.reload();
  }

  /** Called when the table's tab is shown or hidden; a stale table loads when shown. */
  setActive(active: boolean): void {
    this.active = active;
    if (active && this.stale) void this.reload();
  }

  /** Drops loaded rows and loads the first page again (or when next shown). */
  private async reload(): Promise<void> {
    this.generation++;
    this.loaded = 0;
    this.total = undefined;
    this.loading = false;
    this.body.replaceChildren();
    this.status.replaceChildren();
    this.countLine.textContent = '';
    this.renderMore();
    this.stale = !this.active;
    if (!this.source || this.stale) return;
    this.scroller.scrollTop = 0;
    await this.loadMore();
  }

  private async loadMore(): Promise<void> {
    const source = this.source;
    if (!source || this.loading) return;
    if (this.total !== undefined && this.loaded >= this.total) return;
    const generation = this.generation;
    this.loading = true;
    this.status.replaceChildren(busy(`Loading ${this.options.noun}…`));
    this.renderMore();
    try {
      const page = await source(
        { sort: { ...this.query.sort }, filter: this.query.filter },
        this.loaded,
        this.pageSize,
      );
      if (generation !== this.generation) return;
      this.appendRows(page.rows);
      this.loaded += page.rows.length;
      // A short page means the end, whatever `total` claims.
      this.total = page.rows.length < this.pageSize ? this.loaded : page.total;
      this.status.replaceChildren();
    } catch (error) {
      if (generation !== this.generation || error instanceof RequestDroppedError) return;
      const shown =
        error instanceof HostRequestError
          ? error.shown
          : { message: String(error), nextStep: 'Reopen the Heap Explorer.' };
      this.status.replaceChildren(errorBox(shown.message, shown.nextStep));
    } finally {
      if (generation === this.generation) {
        this.loading = false;
        this.renderMore();
        this.renderCount();
      }
    }
    if (generation === this.generation) this.fillViewport();
  }

  /** Keeps loading while the end of the table is still on screen (a tall panel, few rows). */
  private fillViewport(): void {
    if (this.total === undefined || this.loaded >= this.total) return;
    const scroller = this.scroller.getBoundingClientRect();
    const more = this.more.getBoundingClientRect();
    if (scroller.height > 0 && more.top < scroller.bottom) void this.loadMore();
  }

  private appendRows(rows: Row[]): void {
    const fragment = document.createDocumentFragment();
    for (const row of rows) {
      const tr = el('tr');
      for (const column of this.options.columns) {
        const tone = column.tone?.(row);
        const td = el('td', `${column.numeric ? 'num' : 'name'}${tone ? ` ${tone}` : ''}`);
        td.textContent = column.text(row);
        if (!column.numeric) td.title = td.textContent;
        tr.append(td);
      }
      fragment.append(tr);
    }
    this.body.append(fragment);
  }

  private sortBy(column: Column<Row, Key>): void {
    const current = this.query.sort;
    this.query.sort =
      current.column === column.key
        ? { column: column.key, descending: !current.descending }
        : { column: column.key, descending: column.numeric };
    this.renderHeaders();
    this.options.onQueryChange({ sort: { ...this.query.sort }, filter: this.query.filter });
    void this.reload();
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
    void this.reload();
  }

  private renderHeaders(): void {
    for (const [key, th] of this.headers) {
      if (key === this.query.sort.column) {
        th.setAttribute('aria-sort', this.query.sort.descending ? 'descending' : 'ascending');
        th.classList.toggle('descending', this.query.sort.descending);
      } else {
        th.removeAttribute('aria-sort');
        th.classList.remove('descending');
      }
    }
  }

  private renderCount(): void {
    if (this.total === undefined) {
      this.countLine.textContent = '';
      return;
    }
    const noun = this.options.noun;
    const filtered = this.query.filter ? ` matching “${this.query.filter}”` : '';
    this.countLine.textContent =
      this.total === 0
        ? `No ${noun}${filtered}`
        : `${formatCount(this.loaded)} of ${formatCount(this.total)} ${noun}${filtered}`;
  }

  private renderMore(): void {
    const more = this.total === undefined || this.loaded < this.total;
    this.more.hidden = !this.source || !more;
    this.moreButton.disabled = this.loading;
    this.moreButton.textContent = this.loading
      ? 'Loading…'
      : `Load ${formatCount(Math.min(this.pageSize, (this.total ?? this.pageSize) - this.loaded))} more`;
  }
}
