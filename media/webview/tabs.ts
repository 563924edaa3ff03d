import type { ExplorerView } from '../../src/extension/protocol';
import { el, icon } from './dom';

const tabs: readonly { view: ExplorerView; label: string; icon: string }[] = [
  { view: 'live', label: 'Live', icon: 'pulse' },
  { view: 'summary', label: 'Summary', icon: 'symbol-class' },
  { view: 'comparison', label: 'Comparison', icon: 'diff' },
  { view: 'containment', label: 'Containment', icon: 'type-hierarchy' },
  { view: 'dominators', label: 'Dominators', icon: 'list-tree' },
  { view: 'statistics', label: 'Statistics', icon: 'graph' },
  { view: 'suspects', label: 'Leak suspects', icon: 'bug' },
];

/**
 * ARIA tabs with automatic activation: one tab stop, Left/Right/Home/End move and select,
 * each tab controls one tabpanel.
 */
export class Tabs {
  readonly list: HTMLElement;
  private readonly buttons = new Map<ExplorerView, HTMLButtonElement>();
  private readonly panels = new Map<ExplorerView, HTMLElement>();
  private current: ExplorerView = 'live';

  constructor(
    content: Record<ExplorerView, HTMLElement>,
    private readonly onSelect: (view: ExplorerView) => void,
  ) {
    this.list = el('div', 'tablist');
    this.list.setAttribute('role', 'tablist');
    this.list.setAttribute('aria-label', 'Heap Explorer views');
    for (const tab of tabs) {
      const button = el('button', 'tab');
      button.type = 'button';
      button.id = `tab-${tab.view}`;
      button.setAttribute('role', 'tab');
      button.setAttribute('aria-controls', `panel-${tab.view}`);
      button.append(icon(tab.icon), el('span', undefined, tab.label));
      button.addEventListener('click', () => this.select(tab.view));
      button.addEventListener('keydown', (event) => this.onKey(event, tab.view));
      this.list.append(button);
      this.buttons.set(tab.view, button);

      const panel = el('div', 'tabpanel');
      panel.id = `panel-${tab.view}`;
      panel.setAttribute('role', 'tabpanel');
      panel.setAttribute('aria-labelledby', button.id);
      panel.tabIndex = 0;
      panel.append(content[tab.view]);
      this.panels.set(tab.view, panel);
    }
  }

  /** The tabpanels, in tab order, for the page to place. */
  panelElements(): HTMLElement[] {
    return [...this.panels.values()];
  }

  get view(): ExplorerView {
    return this.current;
  }

  /** Shows a view; `focus` moves keyboard focus to its tab (arrow-key navigation). */
  select(view: ExplorerView, focus = false): void {
    this.current = view;
    for (const [key, button] of this.buttons) {
      const selected = key === view;
      button.setAttribute('aria-selected', String(selected));
      button.tabIndex = selected ? 0 : -1;
      this.panels.get(key)!.hidden = !selected;
    }
    if (focus) this.buttons.get(view)!.focus();
    this.onSelect(view);
  }

  private onKey(event: KeyboardEvent, view: ExplorerView): void {
    const index = tabs.findIndex((tab) => tab.view === view);
    let next: number;
    switch (event.key) {
      case 'ArrowRight':
        next = (index + 1) % tabs.length;
        break;
      case 'ArrowLeft':
        next = (index - 1 + tabs.length) % tabs.length;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = tabs.length - 1;
        break;
      default:
        return;
    }
    event.preventDefault();
    this.select(tabs[next].view, true);
  }
}
