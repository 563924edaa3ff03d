import './main.css';
import {
  assertNever,
  type FromWebview,
  type SummaryRow,
  type ToWebview,
} from '../../src/extension/protocol';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const root = document.getElementById('root') as HTMLElement;

const bytes = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
function formatBytes(value: number): string {
  if (value < 1024) return `${value} B`;
  if (value < 1024 * 1024) return `${bytes.format(value / 1024)} KB`;
  return `${bytes.format(value / (1024 * 1024))} MB`;
}

/** Builds an element whose text is set with `textContent`: heap strings are attacker-controlled. */
function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function renderSummary(title: string, rows: SummaryRow[]): void {
  const table = el('table', undefined, 'grid');
  const head = el('tr');
  for (const label of ['Class', 'Count', 'Shallow size', 'Retained size'])
    head.append(el('th', label));
  table.append(el('thead'), el('tbody'));
  table.tHead?.append(head);
  for (const row of rows) {
    const tr = el('tr');
    tr.append(
      el('td', row.name, 'name'),
      el('td', row.count.toLocaleString(), 'num'),
      el('td', formatBytes(row.selfSize), 'num'),
      el('td', formatBytes(row.retainedSize), 'num'),
    );
    table.tBodies[0].append(tr);
  }
  root.replaceChildren(el('h2', title), table);
}

function renderError(message: string, nextStep?: string): void {
  const box = el('div', undefined, 'error');
  box.setAttribute('role', 'alert');
  box.append(el('p', message));
  if (nextStep) box.append(el('p', nextStep, 'next-step'));
  root.replaceChildren(box);
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const message = event.data;
  switch (message.type) {
    case 'summary':
      renderSummary(message.title, message.rows);
      break;
    case 'error':
      renderError(message.message, message.nextStep);
      break;
    default:
      assertNever(message);
  }
});

vscode.postMessage({ type: 'ready' });
