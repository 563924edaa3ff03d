import type { EdgeRow, NodeRow, SourceLocation, ValuePreview } from '../../src/extension/protocol';
import { el, icon } from './dom';
import { printable } from '../../src/common/text';
import { formatCount } from './format';

/** Opens a source location in the editor (the page posts `openSource`). */
export type OpenSource = (location: SourceLocation) => void;

/**
 * V8 (and DevTools) count objects reached only through system roots from this distance up;
 * DevTools shows them, like unreachable ones (-1), as a minus sign.
 */
const baseSystemDistance = 100_000_000;

/** How far an object is from the GC roots, as DevTools shows it. */
export function distanceText(distance: number): string {
  return distance < 0 || distance >= baseSystemDistance ? '\u2212' : formatCount(distance);
}

/** A location's file as people read it: ES modules are named by `file://` URL, shown as a path. */
export function displayPath(file: string): string {
  if (!file.startsWith('file://')) return file;
  try {
    return decodeURIComponent(new URL(file).pathname);
  } catch {
    return file;
  }
}

/**
 * A name or value from the heap as shown: control characters and bidi overrides escaped
 * (`\u202e`), so `admin\u202egnp.exe` cannot pass for `adminexe.png`. Set as text only.
 */
export function heapText(text: string): string {
  return printable(text);
}

/** A value as DevTools shows it: strings quoted, with an ellipsis when the engine cut them. */
export function previewText(preview: ValuePreview): string {
  const cut = preview.truncated === true;
  const text = printable(preview.text);
  if (preview.kind === 'string') return `"${text}${cut ? '…' : ''}"`;
  return cut && !text.endsWith('…') ? `${text}…` : text;
}

/** A small "Go to source" button; it stops the click so the tree row does not toggle. */
export function sourceButton(location: SourceLocation, openSource: OpenSource): HTMLButtonElement {
  const file = displayPath(location.file);
  const button = el('button', 'icon-button go-to-source');
  button.type = 'button';
  button.title = `Go to source: ${file}:${location.line}`;
  button.setAttribute('aria-label', `Go to source ${file} line ${location.line}`);
  button.append(icon('go-to-file'));
  button.addEventListener('click', (event) => {
    event.stopPropagation();
    openSource(location);
  });
  button.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') event.stopPropagation();
  });
  return button;
}

/**
 * An object as one line of spans: `Class @id preview`, every part set as text (class names,
 * property names and string values come from the heap and are attacker-controlled).
 */
export function objectCell(
  node: NodeRow,
  openSource: OpenSource | undefined,
  showClass = true,
): DocumentFragment {
  const cell = document.createDocumentFragment();
  const parts: HTMLElement[] = [];
  if (showClass) parts.push(el('span', 'class-name', heapText(node.className)));
  // A function is named by V8 (its class is just "(closure)"); strings and numbers show a preview.
  if (node.type === 'closure' && node.name !== '')
    parts.push(el('span', 'function-name', `${heapText(node.name)}()`));
  parts.push(el('span', 'object-id', `@${node.id}`));
  if (node.preview)
    parts.push(el('span', `preview preview-${node.preview.kind}`, previewText(node.preview)));
  parts.forEach((part, index) => {
    if (index > 0) cell.append(' ');
    cell.append(part);
  });
  if (node.location && openSource) cell.append(sourceButton(node.location, openSource));
  return cell;
}

/** An edge and its target: `name :: Class @id preview`, with weak edges and cycles marked. */
export function edgeCell(edge: EdgeRow, openSource: OpenSource | undefined): DocumentFragment {
  const cell = document.createDocumentFragment();
  const name = heapText(edge.edgeType === 'element' ? `[${edge.edgeName}]` : edge.edgeName);
  cell.append(el('span', `edge-name edge-${edge.edgeType}`, name));
  cell.append(el('span', 'edge-separator', ' :: '));
  cell.append(objectCell(edge.node, undefined));
  if (edge.edgeType === 'weak' || edge.weak) cell.append(el('span', 'badge weak', 'weak'));
  if (edge.cycle) cell.append(el('span', 'badge cycle', 'cycle'));
  if (edge.node.location && openSource) cell.append(sourceButton(edge.node.location, openSource));
  return cell;
}
