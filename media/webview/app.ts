import {
  assertNever,
  type ExplorerSelection,
  type ExplorerView,
  type SnapshotInfo,
  type SourceLocation,
  type ToWebview,
} from '../../src/extension/protocol';
import { ComparisonView } from './comparisonView';
import { ContainmentView } from './containmentView';
import { DominatorsView } from './dominatorsView';
import { el, errorBox, icon } from './dom';
import { HostClient, type VsCodeApi } from './hostClient';
import { LiveView } from './liveView';
import { SnapshotHeader } from './snapshots';
import { restoreState, type UiState } from './state';
import { StatisticsView } from './statisticsView';
import { SummaryView } from './summaryView';
import { SuspectsView } from './suspectsView';
import { Tabs } from './tabs';

/**
 * The Heap Explorer page: owns the UI state, routes host messages to the views and keeps the
 * state in `vscode.setState` so it survives the panel being hidden and shown again.
 */
export class ExplorerApp {
  private readonly client: HostClient;
  private readonly state: UiState;
  /** Whether the view came from an earlier life of this panel or an earlier `init`; then it wins over `init.view`. */
  private keepView: boolean;
  private readonly header: SnapshotHeader;
  private readonly alerts: HTMLElement;
  private readonly tabs: Tabs;
  private readonly live: LiveView;
  private readonly summary: SummaryView;
  private readonly comparison: ComparisonView;
  private readonly containment: ContainmentView;
  private readonly dominators: DominatorsView;
  private readonly statistics: StatisticsView;
  private readonly suspects: SuspectsView;
  private snapshots: SnapshotInfo[] = [];

  constructor(
    root: HTMLElement,
    private readonly api: VsCodeApi,
  ) {
    this.client = new HostClient(api);
    const saved = api.getState();
    this.keepView = saved !== undefined && saved !== null;
    this.state = restoreState(saved, 'live');
    const save = (): void => this.save();

    this.header = new SnapshotHeader(
      (command) => api.postMessage({ type: 'command', command }),
      (snapshotId) => this.show('summary', { snapshotId }),
    );
    this.alerts = el('div', 'alerts');
    this.live = new LiveView();
    const openSource = (location: SourceLocation): void =>
      api.postMessage({ type: 'openSource', location });
    this.summary = new SummaryView(this.client, this.state.summary, save, openSource);
    this.comparison = new ComparisonView(this.client, this.state.comparison, save, openSource);
    this.containment = new ContainmentView(this.client, this.state.containment, save, openSource);
    this.dominators = new DominatorsView(this.client, this.state.dominators, save, openSource);
    this.statistics = new StatisticsView(this.client, this.state.statistics, save);
    this.suspects = new SuspectsView(this.client, this.state.suspects, save, openSource);
    this.tabs = new Tabs(
      {
        live: this.live.element,
        summary: this.summary.element,
        comparison: this.comparison.element,
        containment: this.containment.element,
        dominators: this.dominators.element,
        statistics: this.statistics.element,
        suspects: this.suspects.element,
      },
      (view) => {
        this.state.view = view;
        this.summary.setActive(view === 'summary');
        this.comparison.setActive(view === 'comparison');
        this.containment.setActive(view === 'containment');
        this.dominators.setActive(view === 'dominators');
        this.statistics.setActive(view === 'statistics');
        this.save();
      },
    );
    root.replaceChildren(
      this.header.element,
      this.alerts,
      this.tabs.list,
      ...this.tabs.panelElements(),
    );
    this.tabs.select(this.state.view);
    this.setSnapshots([]);

    // A theme change rewrites the --vscode-* variables in <html style> and, between a light and
    // a dark theme, the body's class; Dark+ to Dark Modern changes only the variables.
    const retheme = new MutationObserver(() => this.live.retheme());
    retheme.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
    retheme.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  /** Handles one message from the extension host. */
  handle(message: ToWebview): void {
    switch (message.type) {
      case 'init':
        this.init(message);
        break;
      case 'snapshots':
        this.setSnapshots(message.snapshots);
        break;
      case 'samples':
        this.live.appendSamples(message.service, message.samples);
        break;
      case 'service':
        this.live.updateService(message.service, message.state, message.bytesPerRequest);
        break;
      case 'marker':
        this.live.addMarker(message.service, message.marker);
        break;
      case 'load':
        this.header.setLoad(message.load);
        break;
      case 'suspects':
        // Pushed after a Find leak the user started: show it, and compare its pair.
        this.suspects.setResult(message.result);
        this.comparison.select({
          baselineId: message.result.baselineId,
          targetId: message.result.targetId,
        });
        this.show('suspects');
        break;
      case 'show':
        this.show(message.view, message.selection);
        break;
      case 'response':
        this.client.handleResponse(message);
        break;
      case 'error':
        this.showError(message.error.message, message.error.nextStep);
        break;
      default:
        assertNever(message);
    }
  }

  private init(message: Extract<ToWebview, { type: 'init' }>): void {
    this.client.dropPending();
    this.alerts.replaceChildren();
    this.header.setTitle(message.title);
    document.title = message.title;
    this.header.setCanRun(message.canRun);
    this.header.setLoad(message.load);
    this.live.reset(message.services);
    this.summary.invalidate();
    this.comparison.invalidate();
    this.comparison.suggest(message.defaultComparison);
    this.containment.invalidate();
    this.dominators.invalidate();
    this.statistics.invalidate();
    this.suspects.setResult(message.suspects);
    this.setSnapshots(message.snapshots);
    this.show(this.keepView ? this.state.view : message.view);
    this.keepView = true;
  }

  private setSnapshots(snapshots: SnapshotInfo[]): void {
    this.snapshots = snapshots;
    this.header.setSnapshots(this.snapshots);
    this.summary.setSnapshots(this.snapshots);
    this.comparison.setSnapshots(this.snapshots);
    this.containment.setSnapshots(this.snapshots);
    this.dominators.setSnapshots(this.snapshots);
    this.statistics.setSnapshots(this.snapshots);
    this.suspects.setSnapshots(this.snapshots);
  }

  private show(view: ExplorerView, selection?: ExplorerSelection): void {
    if (selection) {
      this.summary.select(selection);
      this.comparison.select(selection);
      this.containment.select(selection);
      this.dominators.select(selection);
      this.statistics.select(selection);
      this.suspects.select(selection);
    }
    if (view !== this.tabs.view) this.tabs.select(view);
  }

  private showError(message: string, nextStep?: string): void {
    const box = errorBox(message, nextStep);
    const dismiss = el('button', 'icon-button dismiss');
    dismiss.type = 'button';
    dismiss.title = 'Dismiss';
    dismiss.setAttribute('aria-label', 'Dismiss');
    dismiss.append(icon('close'));
    dismiss.addEventListener('click', () => box.remove());
    box.append(dismiss);
    this.alerts.replaceChildren(box);
  }

  private save(): void {
    this.api.setState(this.state);
  }
}
