import * as vscode from 'vscode';
import { attach } from '../../inspector';
import type { LoadStats } from '../../load';
import { DisposableStore } from '../disposables';
import type { Logger } from '../logger';
import { LiveSession, type SessionTarget } from './liveSession';

/**
 * Holds the one live session of this window (if any) and keeps the context keys the menus use:
 * `leakHunt.sessionRunning`, `leakHunt.loadRunning`. Starting a new session stops the old one;
 * a start still launching is aborted by `stop`, and its processes killed, never orphaned.
 */
export class SessionManager implements vscode.Disposable {
  private readonly sessionChanged = new vscode.EventEmitter<LiveSession | undefined>();
  /** Fires when a session starts or ends (identity changes only). */
  readonly onDidChangeSession = this.sessionChanged.event;
  private readonly stateChanged = new vscode.EventEmitter<void>();
  /** Fires when the current session's service states or load state change. */
  readonly onDidChangeState = this.stateChanged.event;
  private readonly loadChanged = new vscode.EventEmitter<LoadStats | undefined>();
  readonly onDidChangeLoad = this.loadChanged.event;
  private live: LiveSession | undefined;
  private sessionSubscriptions = new DisposableStore();
  /** The launch in flight, so `stop` can abort it and wait for its processes to go. */
  private starting: { controller: AbortController; done: Promise<unknown> } | undefined;
  /** Bumped by every start and stop: a launch that finishes under a newer generation is stopped at once. */
  private generation = 0;
  private stopping: Promise<void> | undefined;
  private lastContext = '';

  constructor(private readonly log: Logger) {}

  get current(): LiveSession | undefined {
    return this.live;
  }

  get isStarting(): boolean {
    return this.starting !== undefined;
  }

  async start(
    target: SessionTarget,
    samplingIntervalMs: number,
    signal?: AbortSignal,
  ): Promise<LiveSession> {
    if (this.starting)
      throw new Error('Services are already starting. Wait for them, or stop them first.');
    await this.stop();
    const generation = ++this.generation;
    const controller = new AbortController();
    signal?.addEventListener('abort', () => controller.abort(), { once: true });
    const launch = LiveSession.start(target, samplingIntervalMs, this.log, controller.signal);
    this.starting = { controller, done: launch.catch(() => undefined) };
    let live: LiveSession;
    try {
      live = await launch;
    } finally {
      this.starting = undefined;
    }
    if (generation !== this.generation) {
      // Stopped (or superseded) while launching: nothing may outlive that.
      await live.stop();
      throw new Error('Start Services was cancelled.');
    }
    this.adopt(live);
    return live;
  }

  private adopt(live: LiveSession): void {
    this.live = live;
    this.sessionSubscriptions = new DisposableStore();
    this.sessionSubscriptions.addAll(
      live.onDidChangeServiceState(() => this.announceState()),
      live.onDidChangeLoad((stats) => {
        this.loadChanged.fire(stats);
        this.announceState();
      }),
      live.onDidEnd(() => {
        if (this.live === live) this.forget();
      }),
    );
    this.log.info('inspector', `Session started: ${live.label} (${live.serviceNames.join(', ')})`);
    this.sessionChanged.fire(live);
    this.announceState();
    // Every service may have died between the launch and the subscriptions above.
    if (!live.isRunning) void this.stop();
  }

  /** Connects to a Node process already running with `--inspect` (URL `ws://…` or a port). */
  async attach(address: string, samplingIntervalMs: number): Promise<LiveSession> {
    const trimmed = address.trim();
    const port = /^\d+$/.test(trimmed) ? Number(trimmed) : undefined;
    const session = await attach(port !== undefined ? { port } : { url: trimmed });
    const label = `pid ${session.pid ?? '?'} (${trimmed})`;
    return this.start(
      { kind: 'attached', label, service: `node-${session.pid ?? 'attached'}`, session },
      samplingIntervalMs,
    );
  }

  /** Stops the session (or the launch in flight); every caller waits for the same kill. */
  stop(): Promise<void> {
    this.generation++;
    this.stopping ??= (async () => {
      const starting = this.starting;
      if (starting) {
        starting.controller.abort();
        await starting.done;
      }
      const live = this.live;
      if (live) {
        await live.stop();
        if (this.live === live) this.forget();
        this.log.info('inspector', `Session stopped: ${live.label}`);
      }
    })().finally(() => (this.stopping = undefined));
    return this.stopping;
  }

  private forget(): void {
    this.sessionSubscriptions.dispose();
    this.live = undefined;
    this.sessionChanged.fire(undefined);
    this.announceState();
  }

  private announceState(): void {
    const running = this.live?.isRunning ?? false;
    const loading = this.live?.isLoadRunning ?? false;
    // Samples arrive twice a second; only tell the workbench when a key really changes.
    const context = `${running}/${loading}`;
    if (context !== this.lastContext) {
      this.lastContext = context;
      void vscode.commands.executeCommand('setContext', 'leakHunt.sessionRunning', running);
      void vscode.commands.executeCommand('setContext', 'leakHunt.loadRunning', loading);
    }
    this.stateChanged.fire();
  }

  dispose(): void {
    void this.stop();
    this.sessionChanged.dispose();
    this.stateChanged.dispose();
    this.loadChanged.dispose();
  }
}
