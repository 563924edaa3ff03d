import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { HeapRequests, IdRange } from '../../heap/protocol';
import {
  assertNever,
  type AllocatedBetween,
  type ExplorerCommand,
  type ExplorerSelection,
  type ExplorerView,
  type FromWebview,
  type HostRequest,
  type LoadState,
  type SuspectsResult,
  type ToWebview,
} from '../protocol';
import { DisposableStore } from '../disposables';
import type { ExtensionServices } from '../services';
import type { LiveSession } from '../session/liveSession';
import { renderWebviewHtml } from '../webviewHtml';
import { HeapSnapshotError } from '../../heap/errors';
import type { AnalysisOptions, SnapshotQuery, SnapshotQueryParams } from './heapAnalysis';
import { openSource } from './openSource';

const commandFor: Record<ExplorerCommand, string> = {
  takeSnapshot: 'leakHunt.takeSnapshot',
  findLeak: 'leakHunt.findLeak',
  startLoad: 'leakHunt.startLoad',
  stopLoad: 'leakHunt.stopLoad',
  openSnapshot: 'leakHunt.openHeapSnapshot',
};

/** Webview options shared by the panel and the custom editor: scripts on, only our own files. */
export function explorerWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')] };
}

/**
 * Drives one Heap Explorer webview (a panel or a custom editor): answers its paged requests
 * through the heap worker, pushes live samples, snapshot changes and suspects, and runs the
 * commands its buttons ask for. Disposed with its webview.
 */
export class ExplorerController implements vscode.Disposable {
  private readonly subscriptions = new DisposableStore();
  /** What follows the current live session; replaced when the session changes. */
  private sessionSubscriptions = new DisposableStore();
  private ready = false;
  private readonly pendingRequests = new Map<number, AbortController>();
  private suspects: SuspectsResult | undefined;
  /** A view to show once the page says it is ready. */
  private queuedShow: Extract<ToWebview, { type: 'show' }> | undefined;
  /** The load state the page was last told, so progress ticks do not resend it. */
  private sentLoad: LoadState | undefined;

  constructor(
    private readonly webview: vscode.Webview,
    private readonly services: ExtensionServices,
    private readonly title: string,
    private view: ExplorerView,
  ) {
    const { extensionUri } = services.context;
    const asset = (...path: string[]): string =>
      webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', ...path)).toString();
    webview.options = explorerWebviewOptions(extensionUri);
    webview.html = renderWebviewHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
      scriptUri: asset('webview.js'),
      styleUri: asset('webview.css'),
      codiconsUri: asset('codicons', 'codicon.css'),
      title,
    });
    this.subscriptions.addAll(
      webview.onDidReceiveMessage((message: FromWebview) => void this.receiveSafely(message)),
      services.snapshots.onDidChange((snapshots) => this.post({ type: 'snapshots', snapshots })),
      services.sessions.onDidChangeSession((live) => this.followSession(live)),
      services.sessions.onDidChangeState(() => this.sendLoad()),
      // Granting trust enables the page's live actions.
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.ready && this.sendInit()),
    );
    this.followSession(services.sessions.current);
  }

  /** Switches the page to `view` (queued until the page is ready). */
  show(
    view: ExplorerView,
    options: { selection?: ExplorerSelection; suspects?: SuspectsResult } = {},
  ): void {
    this.view = view;
    if (options.suspects) {
      this.suspects = options.suspects;
      this.rememberFindLeak(options.suspects);
      this.post({ type: 'suspects', result: options.suspects });
    }
    const message: ToWebview = {
      type: 'show',
      view,
      ...(options.selection ? { selection: options.selection } : {}),
    };
    if (this.ready) this.post(message);
    else this.queuedShow = message;
  }

  /** Comparison opens on the latest Find Leak's baseline → target from now on. */
  private rememberFindLeak({ baselineId, targetId }: SuspectsResult): void {
    this.services.snapshots.setLatestFindLeak({ baselineId, targetId });
  }

  private followSession(live: LiveSession | undefined): void {
    this.sessionSubscriptions.dispose();
    this.sessionSubscriptions = new DisposableStore();
    if (live) {
      this.sessionSubscriptions.addAll(
        live.onDidSample(({ service, samples }) =>
          this.post({ type: 'samples', service, samples }),
        ),
        live.onDidChangeServiceState(({ service, state, bytesPerRequest }) =>
          this.post({ type: 'service', service, state, bytesPerRequest }),
        ),
        live.onDidMark(({ service, marker }) => this.post({ type: 'marker', service, marker })),
      );
    }
    if (this.ready) this.sendInit();
  }

  private sendInit(): void {
    const live = this.services.sessions.current;
    const defaultComparison = this.services.snapshots.latestFindLeak();
    this.post({
      type: 'init',
      title: this.title,
      view: this.view,
      snapshots: this.services.snapshots.list(),
      services: live?.series() ?? [],
      ...(this.suspects ? { suspects: this.suspects } : {}),
      ...(defaultComparison ? { defaultComparison } : {}),
      canRun: vscode.workspace.isTrusted && (live?.isRunning ?? false),
      load: this.loadState(),
    });
    this.sentLoad = this.loadState();
  }

  private loadState(): LoadState {
    const live = this.services.sessions.current;
    if (!live?.isRunning || live.target.kind !== 'services') return 'unavailable';
    return live.isLoadRunning ? 'running' : 'idle';
  }

  private sendLoad(): void {
    const load = this.loadState();
    if (!this.ready || load === this.sentLoad) return;
    this.sentLoad = load;
    this.post({ type: 'load', load });
  }

  private post(message: ToWebview): void {
    if (this.ready) void this.webview.postMessage(message);
  }

  /**
   * The page of a hidden panel is torn down (no retained context): messages would be lost, so
   * they wait until the recreated page says `ready` again.
   */
  markHidden(): void {
    this.ready = false;
  }

  private async receiveSafely(message: FromWebview): Promise<void> {
    try {
      await this.receive(message);
    } catch (error) {
      this.services.log.error('webview', `Handling ${message.type} failed`, error);
      this.post({
        type: 'error',
        error: { message: error instanceof Error ? error.message : String(error) },
      });
    }
  }

  private async receive(message: FromWebview): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        for (const controller of this.pendingRequests.values()) controller.abort();
        this.pendingRequests.clear();
        this.sendInit();
        if (this.queuedShow) this.post(this.queuedShow);
        this.queuedShow = undefined;
        break;
      case 'request':
        await this.answer(message.id, atMostOnePage(message.request));
        break;
      case 'openSource':
        await openSource(message.location);
        break;
      case 'command':
        await this.runCommand(message.command);
        break;
      case 'log':
        if (message.level === 'error') this.services.log.error('webview', message.message);
        else this.services.log.info('webview', message.message);
        break;
      default:
        assertNever(message);
    }
  }

  private file(snapshotId: string): string {
    const info = this.services.snapshots.get(snapshotId);
    if (!info) throw new Error('That snapshot is no longer in the list. Take or open it again.');
    if (info.state !== 'ready') throw new Error(`${info.label} is not ready yet (${info.state}).`);
    return info.file;
  }

  private async answer(id: number, request: HostRequest): Promise<void> {
    const controller = new AbortController();
    this.pendingRequests.set(id, controller);
    const options = {
      signal: controller.signal,
      onProgress: (file: string, fraction: number) => {
        const info = this.services.snapshots.list().find((s) => s.file === file);
        if (info)
          this.post({
            type: 'snapshots',
            snapshots: this.services.snapshots
              .list()
              .map((s) => (s.id === info.id ? { ...s, state: 'parsing', progress: fraction } : s)),
          });
      },
    };
    try {
      let ok: unknown;
      switch (request.method) {
        case 'summaryPage': {
          const { snapshotId, allocatedBetween, ...query } = request.params;
          const idRange = allocatedBetween && (await this.idRange(allocatedBetween, options));
          ok = await this.onSnapshot(
            snapshotId,
            'classesPage',
            { query, ...(idRange ? { idRange } : {}) },
            options,
          );
          break;
        }
        case 'snapshotFacts': {
          const { snapshotId } = request.params;
          const info = await this.services.heap.open(this.file(snapshotId), {
            ...options,
            scripts: this.services.snapshots.scripts(snapshotId),
          });
          const { nodeCount, edgeCount, totalSize, hasAllocationTraces } = info;
          ok = { nodeCount, edgeCount, totalSize, hasAllocationTraces };
          break;
        }
        case 'instancesPage': {
          const { snapshotId, allocatedBetween, ...params } = request.params;
          const idRange = allocatedBetween && (await this.idRange(allocatedBetween, options));
          ok = await this.onSnapshot(
            snapshotId,
            'instancesPage',
            { ...params, ...(idRange ? { idRange } : {}) },
            options,
          );
          break;
        }
        case 'childrenPage': {
          const { snapshotId, ...params } = request.params;
          ok = await this.onSnapshot(snapshotId, 'childrenPage', params, options);
          break;
        }
        case 'retainersPage': {
          const { snapshotId, ...params } = request.params;
          ok = await this.onSnapshot(snapshotId, 'retainersPage', params, options);
          break;
        }
        case 'nodeById': {
          const { snapshotId, id } = request.params;
          ok = await this.onSnapshot(snapshotId, 'node', { id }, options);
          break;
        }
        case 'allocationStack': {
          const { snapshotId, node } = request.params;
          ok = await this.onSnapshot(snapshotId, 'allocationStack', { node }, options);
          break;
        }
        case 'dominatorsPage': {
          const { snapshotId, node, start, count } = request.params;
          // Node ordinal 0 is the snapshot's root.
          ok = await this.onSnapshot(
            snapshotId,
            'dominatorsPage',
            { node: node ?? 0, start, count },
            options,
          );
          break;
        }
        case 'containment': {
          ok = await this.onSnapshot(request.params.snapshotId, 'containment', {}, options);
          break;
        }
        case 'statistics': {
          ok = await this.onSnapshot(request.params.snapshotId, 'statistics', {}, options);
          break;
        }
        case 'treemap': {
          const { snapshotId, ...params } = request.params;
          ok = await this.onSnapshot(snapshotId, 'treemap', params, options);
          break;
        }
        case 'comparisonPage': {
          const { baselineId, targetId, ...query } = request.params;
          ok = await this.services.heap.comparisonPage(
            { baseline: this.file(baselineId), target: this.file(targetId) },
            query,
            options,
          );
          break;
        }
        case 'comparisonObjectsPage': {
          const { baselineId, targetId, ...params } = request.params;
          ok = await this.services.heap.comparisonObjects(
            { baseline: this.file(baselineId), target: this.file(targetId), ...params },
            options,
          );
          break;
        }
        case 'findLeaks': {
          const { baselineId, targetId, finalId } = request.params;
          const scripts = this.services.snapshots.scripts(finalId);
          const diff = await this.services.heap.findLeaks(
            {
              baseline: this.file(baselineId),
              target: this.file(targetId),
              final: this.file(finalId),
            },
            { ...options, scripts },
          );
          this.suspects = { baselineId, targetId, finalId, suspects: diff.suspects };
          this.rememberFindLeak(this.suspects);
          ok = this.suspects;
          break;
        }
        default:
          assertNever(request);
      }
      if (this.pendingRequests.delete(id)) this.post({ type: 'response', id, ok });
    } catch (error) {
      if (!this.pendingRequests.delete(id)) return;
      const message = error instanceof Error ? error.message : String(error);
      this.services.log.error('worker', `${request.method} failed`, error);
      this.post({ type: 'response', id, err: { message, nextStep: nextStepFor(error) } });
    } finally {
      // Re-announce the real states once parsing is over (the progress above was transient).
      this.post({ type: 'snapshots', snapshots: this.services.snapshots.list() });
    }
  }

  /** A query on one snapshot, with the script ids of the session that took it. */
  private onSnapshot<M extends SnapshotQuery>(
    snapshotId: string,
    method: M,
    params: SnapshotQueryParams<M>,
    options: AnalysisOptions,
  ): Promise<HeapRequests[M]['result']> {
    const scripts = this.services.snapshots.scripts(snapshotId);
    return this.services.heap.query(this.file(snapshotId), method, params, {
      ...options,
      ...(scripts ? { scripts } : {}),
    });
  }

  /** DevTools' "allocated between X and Y" as V8 id bounds: the highest ids of X and Y. */
  private async idRange(between: AllocatedBetween, options: AnalysisOptions): Promise<IdRange> {
    const { afterSnapshotId, upToSnapshotId } = between;
    const [after, upTo] = await Promise.all([
      afterSnapshotId === undefined
        ? 0
        : this.services.heap.maxObjectId(this.file(afterSnapshotId), options),
      this.services.heap.maxObjectId(this.file(upToSnapshotId), options),
    ]);
    return { after, upTo };
  }

  private async runCommand(command: ExplorerCommand): Promise<void> {
    // Failures are shown by the command itself (see registerCommand).
    await vscode.commands.executeCommand(commandFor[command]);
  }

  dispose(): void {
    for (const controller of this.pendingRequests.values()) controller.abort();
    this.pendingRequests.clear();
    this.subscriptions.dispose();
    this.sessionSubscriptions.dispose();
  }
}

/** Rows a page holds at most, whatever the page asks: a heap's worth never crosses postMessage. */
const MAX_PAGE_ROWS = 200;

function atMostOnePage(request: HostRequest): HostRequest {
  if (!('count' in request.params)) return request;
  const params: { count: number } = request.params;
  const count = Math.max(0, Math.min(MAX_PAGE_ROWS, params.count));
  return { ...request, params: { ...request.params, count } } as HostRequest;
}

function nextStepFor(error: unknown): string | undefined {
  if (!(error instanceof HeapSnapshotError)) return undefined;
  switch (error.problem) {
    case 'incomplete':
      return 'The file is incomplete. Take the snapshot again and let it finish.';
    case 'unreadable':
      return 'The file is gone or cannot be read. Take or open the snapshot again.';
    case 'not-a-snapshot':
      return 'Open a .heapsnapshot file written by Node, Chrome DevTools or Leak Hunt.';
    case 'malformed':
      return undefined;
  }
}
