import type {
  ExplorerSelection,
  LeakSuspect,
  SnapshotInfo,
  SourceLocation,
  SuspectsResult,
} from '../../src/extension/protocol';
import {
  busy,
  el,
  emptyState,
  errorBox,
  icon,
  iconButton,
  labelledSelect,
  setOptions,
  setBusy,
} from './dom';
import { formatBytes, formatCount } from './format';
import { HostRequestError, RequestDroppedError, type HostClient } from './hostClient';
import { pick, snapshotOption, stillCapturing, usableSnapshots } from './snapshots';
import type { UiState } from './state';

/** Suspects retaining less than this share of the first suspect's size are folded away. */
const MINOR_SHARE = 0.01;

/** A location's file as people read it: ES modules are named by `file://` URL, shown as a path. */
function displayPath(file: string): string {
  if (!file.startsWith('file://')) return file;
  try {
    return decodeURIComponent(new URL(file).pathname);
  } catch {
    return file;
  }
}

const VERDICTS = {
  leak: { icon: 'warning', title: 'Leak' },
  'no-leak': { icon: 'pass', title: 'No leak' },
  inconclusive: { icon: 'question', title: 'Inconclusive' },
} as const;

/** Find Leak's verdict over the suspects: what it is, why, and what would settle it. */
function renderVerdict(verdict: NonNullable<SuspectsResult['verdict']>): HTMLElement {
  const shown = VERDICTS[verdict.verdict];
  const box = el('div', `verdict verdict-${verdict.verdict}`);
  box.setAttribute('role', 'status');
  const title = el('p', 'verdict-title');
  title.append(icon(shown.icon, 'verdict-icon'), el('span', undefined, shown.title));
  box.append(title, el('p', 'verdict-reason', verdict.reason));
  if (verdict.advice) box.append(el('p', 'verdict-advice', verdict.advice));
  return box;
}

/**
 * The Leak suspects tab: pick baseline, target and final snapshots, run the three-snapshot
 * technique on the host and show each suspect with its retainer path and source location.
 */
export class SuspectsView {
  readonly element: HTMLElement;
  private readonly selects: {
    baseline: HTMLSelectElement;
    target: HTMLSelectElement;
    final: HTMLSelectElement;
  };
  private readonly findButton: HTMLButtonElement;
  private readonly pickers: HTMLElement;
  private readonly status: HTMLElement;
  private readonly waiting: HTMLElement;
  private readonly results: HTMLElement;
  private readonly empty: HTMLElement;
  private snapshots: readonly SnapshotInfo[] = [];
  private result: SuspectsResult | undefined;
  /** Bumped per search so a late answer to an older one is ignored. */
  private generation = 0;

  constructor(
    private readonly client: HostClient,
    private readonly state: UiState['suspects'],
    private readonly save: () => void,
    private readonly openSource: (location: SourceLocation) => void,
  ) {
    this.element = el('div', 'suspects');
    const baseline = labelledSelect('Baseline', 'suspects-baseline');
    const target = labelledSelect('Target', 'suspects-target');
    const final = labelledSelect('Final', 'suspects-final');
    this.selects = { baseline: baseline.select, target: target.select, final: final.select };
    for (const select of Object.values(this.selects))
      select.addEventListener('change', () => this.remember());
    this.findButton = iconButton('search', 'Find leaks');
    this.findButton.addEventListener('click', () => void this.find());
    this.pickers = el('div', 'view-toolbar');
    this.pickers.append(baseline.field, target.field, final.field, this.findButton);
    this.status = el('div', 'view-status');
    this.results = el('div', 'suspect-list');
    this.empty = emptyState(
      'bug',
      'Take three snapshots to find leaks',
      'Take a baseline snapshot, drive load, take a target, drive more load, take a final one — or press Find leak above to do all of it.',
    );
    this.waiting = el('div', 'view-status');
    this.element.append(this.empty, this.pickers, this.waiting, this.status, this.results);
  }

  /** Picks the snapshots the host asked for (`show` with a selection). */
  select(selection: ExplorerSelection): void {
    const { baselineId, targetId, finalId } = selection;
    if (baselineId === undefined && targetId === undefined && finalId === undefined) return;
    this.state.baselineId = baselineId ?? this.state.baselineId;
    this.state.targetId = targetId ?? this.state.targetId;
    this.state.finalId = finalId ?? this.state.finalId;
    this.save();
    this.setSnapshots(this.snapshots);
  }

  setSnapshots(snapshots: readonly SnapshotInfo[]): void {
    this.snapshots = snapshots;
    const usable = usableSnapshots(snapshots);
    const ids = usable.map((snapshot) => snapshot.id);
    const options = usable.map(snapshotOption);
    setOptions(this.selects.baseline, options, pick(ids, this.state.baselineId, ids.at(-3)));
    setOptions(this.selects.target, options, pick(ids, this.state.targetId, ids.at(-2)));
    setOptions(this.selects.final, options, pick(ids, this.state.finalId, ids.at(-1)));
    const { baselineId, targetId, finalId } = this.state;
    const waiting = stillCapturing(snapshots, [baselineId, targetId, finalId]);
    setBusy(
      this.waiting,
      waiting && `Waiting for ${waiting.label}: the snapshot is being captured…`,
    );
    // With fewer than three, or one still being captured, keep the saved choice for later.
    if (usable.length >= 3 && !waiting) this.remember();
    else this.render();
  }

  /** Shows a result (pushed by the host after Find leak, or restored on `init`). */
  setResult(result: SuspectsResult | undefined): void {
    this.generation++;
    this.result = result;
    this.status.replaceChildren();
    if (result) {
      this.state.baselineId = result.baselineId;
      this.state.targetId = result.targetId;
      this.state.finalId = result.finalId;
      this.save();
      this.setSnapshots(this.snapshots);
    }
    this.renderResult();
  }

  private remember(): void {
    const { baseline, target, final } = this.selects;
    this.state.baselineId = baseline.value || undefined;
    this.state.targetId = target.value || undefined;
    this.state.finalId = final.value || undefined;
    this.save();
    this.render();
  }

  private chosen(): { baselineId: string; targetId: string; finalId: string } | undefined {
    const { baselineId, targetId, finalId } = this.state;
    if (!baselineId || !targetId || !finalId) return undefined;
    if (new Set([baselineId, targetId, finalId]).size < 3) return undefined;
    return { baselineId, targetId, finalId };
  }

  private render(): void {
    const enough = usableSnapshots(this.snapshots).length >= 3;
    const waiting = this.waiting.childElementCount > 0;
    this.empty.hidden = enough || waiting || this.result !== undefined;
    this.pickers.hidden = !enough || waiting;
    const chosen = this.chosen();
    this.findButton.disabled = chosen === undefined || waiting;
    this.findButton.title = chosen
      ? 'Objects allocated between baseline and target that are still alive in final'
      : 'Pick three different snapshots, oldest first';
  }

  private async find(): Promise<void> {
    const chosen = this.chosen();
    if (!chosen) return;
    const generation = ++this.generation;
    this.status.replaceChildren(busy('Finding leaks: diffing three snapshots…'));
    this.findButton.disabled = true;
    try {
      const result = await this.client.request('findLeaks', chosen);
      if (generation !== this.generation) return;
      this.setResult(result);
    } catch (error) {
      if (generation !== this.generation || error instanceof RequestDroppedError) return;
      const shown =
        error instanceof HostRequestError
          ? error.shown
          : { message: String(error), nextStep: 'Try again, or reopen the Heap Explorer.' };
      this.status.replaceChildren(errorBox(shown.message, shown.nextStep));
    } finally {
      if (generation === this.generation) this.render();
    }
  }

  private renderResult(): void {
    this.render();
    const result = this.result;
    if (!result) {
      this.results.replaceChildren();
      return;
    }
    const verdict = result.verdict ? [renderVerdict(result.verdict)] : [];
    if (result.suspects.length === 0) {
      this.results.replaceChildren(
        ...verdict,
        emptyState(
          'pass',
          'No leak suspects',
          'Nothing allocated between baseline and target survived to the final snapshot. Drive more load between snapshots, or compare other ones.',
        ),
      );
      return;
    }
    // Suspects far smaller than the first are folded away: a service's own connections and
    // timers survive any three snapshots, and a dozen rows of them bury the one that grows.
    const [first] = result.suspects;
    const isMinor = (suspect: LeakSuspect): boolean =>
      suspect !== first && suspect.retainedSize < first.retainedSize * MINOR_SHARE;
    const main = result.suspects.filter((suspect) => !isMinor(suspect));
    const minor = result.suspects.filter(isMinor);
    const count = main.length;
    const heading = el(
      'h2',
      'results-heading',
      `${formatCount(count)} leak suspect${count === 1 ? '' : 's'}`,
    );
    this.results.replaceChildren(
      ...verdict,
      heading,
      ...main.map((suspect, index) => this.renderSuspect(suspect, index)),
    );
    if (minor.length > 0) this.results.append(this.renderMinor(minor));
  }

  /** The smaller suspects behind one collapsed row, each still a full card when opened. */
  private renderMinor(minor: readonly LeakSuspect[]): HTMLElement {
    const fold = el('details', 'minor-suspects');
    const summary = el('summary', 'suspect-summary');
    const total = minor.reduce((sum, suspect) => sum + suspect.retainedSize, 0);
    summary.append(
      icon('chevron-right', 'twisty'),
      el(
        'span',
        undefined,
        `${formatCount(minor.length)} smaller suspect${minor.length === 1 ? '' : 's'}`,
      ),
      el('span', 'suspect-size', `${formatBytes(total)} retained in all`),
    );
    const note = el(
      'p',
      'minor-note',
      `Each retains less than ${MINOR_SHARE * 100}% of what the first suspect does. Objects that small often survive for good reasons (open connections, pending timers); open one to check.`,
    );
    const cards = el('div', 'minor-list');
    cards.append(...minor.map((suspect) => this.renderSuspect(suspect, -1)));
    fold.append(summary, note, cards);
    return fold;
  }

  private renderSuspect(suspect: LeakSuspect, index: number): HTMLElement {
    const card = el('details', 'suspect');
    card.open = index === 0;
    const summary = el('summary', 'suspect-summary');
    summary.append(
      icon('chevron-right', 'twisty'),
      el('span', 'suspect-name', suspect.name),
      el('span', 'badge', `×${formatCount(suspect.count)}`),
    );
    // "held by sessions in MemoryStore": the variable or property, then whose it is.
    if (suspect.owner !== undefined || suspect.container !== undefined) {
      const owner = el('span', 'suspect-owner');
      if (suspect.owner !== undefined)
        owner.append('held by ', el('code', 'owner-name', suspect.owner));
      if (suspect.container !== undefined) {
        owner.append(suspect.owner === undefined ? 'in ' : ' in ');
        const container = el('code', 'container-class', suspect.container);
        container.title = 'Class of the object that holds them';
        owner.append(container);
      }
      summary.append(owner);
    }
    summary.append(el('span', 'suspect-size', `${formatBytes(suspect.retainedSize)} retained`));
    const body = el('div', 'suspect-body');
    body.append(el('div', 'section-label', 'Retainer path'));
    body.append(
      this.renderPath(
        suspect.path,
        suspect.owner,
        `Retainer path of ${suspect.name}, from its root to the object`,
      ),
    );
    // Other routes that keep the same object alive: the leak is fixed only when all let go.
    const others = (suspect.routes ?? []).slice(1);
    if (others.length > 0) {
      body.append(el('div', 'section-label', 'Also retained through'));
      others.forEach((route, index) => {
        const path = this.renderPath(
          route,
          undefined,
          `Retention route ${index + 2} of ${suspect.name}, from its root to the object`,
        );
        path.classList.add('route');
        body.append(path);
      });
    }

    const where = el('div', 'location');
    const location = suspect.location;
    if (location) {
      const file = displayPath(location.file);
      const label = el('span', 'location-text', `${file}:${location.line}`);
      label.title = `${file}:${location.line}:${location.column}`;
      const go = iconButton('go-to-file', 'Go to source');
      go.title = `Open ${file} at line ${location.line}`;
      go.addEventListener('click', () => this.openSource(location));
      where.append(icon('file-code'), label, go);
    } else {
      where.append(
        icon('info'),
        el(
          'span',
          'muted',
          'No source location: the retaining objects are not closures or contexts.',
        ),
      );
    }
    body.append(where);
    card.append(summary, body);
    return card;
  }

  /** A path as chips with arrows between them; the step into the owner, if named, is marked. */
  private renderPath(
    steps: readonly string[],
    owner: string | undefined,
    label: string,
  ): HTMLOListElement {
    const path = el('ol', 'path');
    path.setAttribute('aria-label', label);
    // The growing container is the step to fix: mark where the path passes through it.
    const ownerStep = owner === undefined ? -1 : steps.lastIndexOf(owner);
    steps.forEach((step, stepIndex) => {
      const item = el('li', 'path-step');
      if (stepIndex > 0) item.append(icon('arrow-right', 'path-arrow'));
      const chip = el('span', stepIndex === ownerStep ? 'chip owner' : 'chip', step);
      if (stepIndex === ownerStep) chip.title = 'The container that keeps growing';
      item.append(chip);
      path.append(item);
    });
    return path;
  }
}
