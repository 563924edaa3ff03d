import type {
  ExplorerCommand,
  LoadState,
  SnapshotInfo,
  SnapshotState,
} from '../../src/extension/protocol';
import { el, icon, iconButton } from './dom';
import { formatBytes, formatTime } from './format';

/**
 * Snapshots that can be analysed, oldest first. `parsing` ones count: their file is complete and
 * the worker is reading it (the host marks a snapshot `parsing` while answering a request for it).
 */
export function usableSnapshots(snapshots: readonly SnapshotInfo[]): SnapshotInfo[] {
  return snapshots
    .filter((snapshot) => snapshot.state === 'ready' || snapshot.state === 'parsing')
    .sort((a, b) => a.takenAt - b.takenAt);
}

/**
 * The first of `ids` that names a snapshot still being captured: a view asked to show it waits
 * for it instead of falling back to another snapshot.
 */
export function stillCapturing(
  snapshots: readonly SnapshotInfo[],
  ids: readonly (string | undefined)[],
): SnapshotInfo | undefined {
  return snapshots.find((snapshot) => snapshot.state === 'capturing' && ids.includes(snapshot.id));
}

/** How a snapshot reads in a picker. */
export function snapshotOption(snapshot: SnapshotInfo): { value: string; label: string } {
  const parts = [snapshot.label, formatTime(snapshot.takenAt), formatBytes(snapshot.sizeBytes)];
  if (snapshot.service) parts.splice(1, 0, snapshot.service);
  if (snapshot.state === 'parsing') parts.push('parsing');
  return { value: snapshot.id, label: parts.join(' · ') };
}

/** `wanted` when it is among `ids`, otherwise `fallback`. */
export function pick(
  ids: readonly string[],
  wanted: string | undefined,
  fallback: string | undefined,
): string | undefined {
  return wanted !== undefined && ids.includes(wanted) ? wanted : fallback;
}

const stateText: Record<SnapshotState, string> = {
  capturing: 'Capturing',
  parsing: 'Parsing',
  ready: 'Ready',
  error: 'Failed',
};

const stateIcon: Record<SnapshotState, string> = {
  capturing: 'record',
  parsing: 'loading codicon-modifier-spin',
  ready: 'pass',
  error: 'error',
};

const commands: readonly {
  command: ExplorerCommand;
  icon: string;
  label: string;
  live: boolean;
}[] = [
  { command: 'takeSnapshot', icon: 'device-camera', label: 'Take snapshot', live: true },
  { command: 'findLeak', icon: 'search', label: 'Find leak', live: true },
  { command: 'startLoad', icon: 'play', label: 'Start load', live: true },
  { command: 'stopLoad', icon: 'debug-stop', label: 'Stop load', live: true },
  { command: 'openSnapshot', icon: 'folder-opened', label: 'Open snapshot', live: false },
];

const disabledReason =
  'Needs a running session in a trusted workspace: start the services first (Leak Hunt: Start Services).';

/** Why a command cannot run now, or undefined when it can. */
function blockedReason(
  spec: (typeof commands)[number],
  canRun: boolean,
  load: LoadState,
): string | undefined {
  if (!spec.live) return undefined;
  if (!canRun) return disabledReason;
  switch (spec.command) {
    case 'startLoad':
      if (load === 'running') return 'Load is already running: stop it first.';
      if (load === 'unavailable')
        return 'An attached process has no load profile: drive it with your own traffic.';
      return undefined;
    case 'stopLoad':
      return load === 'running' ? undefined : 'No load is running.';
    default:
      return undefined;
  }
}

/**
 * The header: title, command buttons and the snapshot list with per-snapshot progress and
 * errors. Commands that cannot run now are `aria-disabled` (still focusable, so the tooltip
 * explains why): live ones without a running session, Start load while load runs, Stop load
 * while none does.
 */
export class SnapshotHeader {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly buttons: { button: HTMLButtonElement; spec: (typeof commands)[number] }[] = [];
  private readonly list: HTMLElement;
  private canRun = false;
  private load: LoadState = 'unavailable';
  /** What each snapshot's list item was rendered from, to skip unchanged ones. */
  private rendered = new Map<string, { key: string; element: HTMLElement }>();

  constructor(
    private readonly onCommand: (command: ExplorerCommand) => void,
    private readonly onOpenSummary: (snapshotId: string) => void,
  ) {
    this.element = el('header', 'explorer-header');
    const top = el('div', 'header-top');
    this.title = el('h1', 'title', 'Heap Explorer');
    const toolbar = el('div', 'toolbar');
    toolbar.setAttribute('role', 'toolbar');
    toolbar.setAttribute('aria-label', 'Heap Explorer actions');
    for (const spec of commands) {
      const button = iconButton(spec.icon, spec.label, spec.live ? 'button' : 'button secondary');
      button.dataset.command = spec.command;
      button.addEventListener('click', () => {
        if (button.getAttribute('aria-disabled') !== 'true') this.onCommand(spec.command);
      });
      this.buttons.push({ button, spec });
      toolbar.append(button);
    }
    top.append(this.title, toolbar);
    this.list = el('ul', 'snapshot-list');
    this.list.setAttribute('aria-label', 'Snapshots');
    this.element.append(top, this.list);
    this.renderButtons();
  }

  setTitle(title: string): void {
    this.title.textContent = title;
  }

  setCanRun(canRun: boolean): void {
    this.canRun = canRun;
    this.renderButtons();
  }

  setLoad(load: LoadState): void {
    this.load = load;
    this.renderButtons();
  }

  private renderButtons(): void {
    for (const { button, spec } of this.buttons) {
      const reason = blockedReason(spec, this.canRun, this.load);
      button.setAttribute('aria-disabled', String(reason !== undefined));
      button.title = reason ?? button.textContent ?? '';
    }
  }

  setSnapshots(snapshots: readonly SnapshotInfo[]): void {
    const sorted = [...snapshots].sort((a, b) => a.takenAt - b.takenAt);
    this.list.hidden = sorted.length === 0;
    // The host re-sends the list on every progress tick: re-render only the snapshots that
    // changed, and keep unchanged items (and the focus in them) in place.
    const rendered = new Map<string, { key: string; element: HTMLElement }>();
    const elements = sorted.map((snapshot) => {
      const key = `${this.canRun}:${JSON.stringify(snapshot)}`;
      const known = this.rendered.get(snapshot.id);
      const element = known?.key === key ? known.element : this.renderSnapshot(snapshot);
      rendered.set(snapshot.id, { key, element });
      return element;
    });
    this.rendered = rendered;
    const children = [...this.list.children];
    const sameOrder =
      children.length === elements.length &&
      children.every((child, i) => (child as HTMLElement).dataset.snapshotId === sorted[i].id);
    if (!sameOrder) this.list.replaceChildren(...elements);
    else
      children.forEach((child, i) => {
        if (child !== elements[i]) child.replaceWith(elements[i]);
      });
  }

  private renderSnapshot(snapshot: SnapshotInfo): HTMLElement {
    const item = el('li', `snapshot state-${snapshot.state}`);
    item.dataset.snapshotId = snapshot.id;
    const line = el('div', 'snapshot-line');
    line.append(icon(stateIcon[snapshot.state], `state-icon state-${snapshot.state}`));
    if (snapshot.state === 'ready') {
      const open = el('button', 'link snapshot-label', snapshot.label);
      open.type = 'button';
      open.title = `Show the summary of ${snapshot.label}`;
      open.addEventListener('click', () => this.onOpenSummary(snapshot.id));
      line.append(open);
    } else line.append(el('span', 'snapshot-label', snapshot.label));
    const details = [formatTime(snapshot.takenAt)];
    if (snapshot.service) details.unshift(snapshot.service);
    if (snapshot.sizeBytes > 0) details.push(formatBytes(snapshot.sizeBytes));
    line.append(
      el('span', 'muted', details.join(' · ')),
      el('span', 'snapshot-state', stateText[snapshot.state]),
    );
    item.title = snapshot.file;
    item.append(line);

    if (snapshot.state === 'capturing' || snapshot.state === 'parsing') {
      const fraction = Math.min(1, Math.max(0, snapshot.progress ?? 0));
      const bar = el('div', 'progress');
      bar.setAttribute('role', 'progressbar');
      bar.setAttribute('aria-label', `${stateText[snapshot.state]} ${snapshot.label}`);
      bar.setAttribute('aria-valuemin', '0');
      bar.setAttribute('aria-valuemax', '100');
      bar.setAttribute('aria-valuenow', String(Math.round(fraction * 100)));
      const fill = el('div', 'progress-fill');
      fill.style.width = `${fraction * 100}%`;
      bar.append(fill);
      item.append(bar);
    }
    if (snapshot.state === 'error') {
      const alert = el('div', 'snapshot-error');
      alert.setAttribute('role', 'alert');
      alert.append(
        el('span', 'error-message', snapshot.error ?? 'The snapshot could not be read.'),
        el(
          'span',
          'next-step',
          this.canRun
            ? 'Take the snapshot again, or open the file with Open snapshot to see whether it is complete.'
            : 'Open the file again with Open snapshot, or check that it is a complete .heapsnapshot.',
        ),
      );
      item.append(alert);
    }
    return item;
  }
}
