/**
 * Small DOM helpers. Text always goes through `textContent`: class names, edge names and file
 * paths come from heap snapshots and are attacker-controlled, so no HTML is ever parsed from data.
 */

/** Creates an element with optional class and text (set as text, never as HTML). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A codicon glyph; decorative, so hidden from screen readers. */
export function icon(name: string, extraClass = ''): HTMLSpanElement {
  const span = el('span', `codicon codicon-${name}${extraClass ? ` ${extraClass}` : ''}`);
  span.setAttribute('aria-hidden', 'true');
  return span;
}

/** A button with a codicon and a label. */
export function iconButton(
  iconName: string,
  label: string,
  className = 'button',
): HTMLButtonElement {
  const button = el('button', className);
  button.type = 'button';
  button.append(icon(iconName), el('span', 'label', label));
  return button;
}

/** A labelled `<select>`; options are added with {@link setOptions}. */
export function labelledSelect(
  label: string,
  id: string,
): { field: HTMLElement; select: HTMLSelectElement } {
  const field = el('div', 'field');
  const text = el('label', undefined, label);
  text.htmlFor = id;
  const select = el('select', 'select');
  select.id = id;
  field.append(text, select);
  return { field, select };
}

/** Replaces a select's options, keeping `selected` selected when it is among them. */
export function setOptions(
  select: HTMLSelectElement,
  options: readonly { value: string; label: string }[],
  selected: string | undefined,
): void {
  // The host re-sends the snapshot list on every parse progress tick; leave an unchanged
  // (possibly open) dropdown alone.
  const current = [...select.options];
  const same =
    current.length === options.length &&
    current.every(
      (option, i) => option.value === options[i].value && option.text === options[i].label,
    );
  if (same && (selected === undefined || select.value === selected)) return;
  select.replaceChildren(
    ...options.map(({ value, label }) => {
      const option = el('option', undefined, label);
      option.value = value;
      option.selected = value === selected;
      return option;
    }),
  );
  select.disabled = options.length === 0;
}

/** An in-place error with its next step; `role=alert` so screen readers announce it. */
export function errorBox(message: string, nextStep?: string): HTMLElement {
  const box = el('div', 'error');
  box.setAttribute('role', 'alert');
  const text = el('div', 'error-text');
  text.append(el('p', 'error-message', message));
  if (nextStep) text.append(el('p', 'next-step', nextStep));
  box.append(icon('error', 'error-icon'), text);
  return box;
}

/** An empty state that says what to do next. */
export function emptyState(iconName: string, title: string, hint: string): HTMLElement {
  const box = el('div', 'empty');
  box.append(
    icon(iconName, 'empty-icon'),
    el('p', 'empty-title', title),
    el('p', 'empty-hint', hint),
  );
  return box;
}

/** A busy line ("Loading classes…") with a spinning codicon, announced politely. */
export function busy(text: string): HTMLElement {
  const box = el('div', 'busy');
  box.setAttribute('role', 'status');
  box.append(icon('loading', 'codicon-modifier-spin'), el('span', undefined, text));
  return box;
}

/**
 * Shows `text` as a busy line in `container`, or clears it when undefined. An unchanged line is
 * left alone, so its spinner does not restart on every snapshot progress tick.
 */
export function setBusy(container: HTMLElement, text: string | undefined): void {
  if (text === undefined) container.replaceChildren();
  else if (container.textContent !== text) container.replaceChildren(busy(text));
}
