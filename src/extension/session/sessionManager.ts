import * as vscode from 'vscode';
import { attach } from '../../inspector';
import type { LoadStats } from '../../load';
import type { Logger } from '../logger';
import { LiveSession, type SessionTarget } from './liveSession';

/**
 * Holds the one live session of this window (if any) and keeps the context keys the menus use:
 * `leakHunt.sessionRunning`, `leakHunt.loadRunning`. Starting a new session stops the old one.
 */
export class SessionManager implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<LiveSession | undefined>();
  /** Fires when a session starts or ends, and when its load or service states change. */
  readonly onDidChange = this.changed.event;
  private readonly loadChanged = new vscode.EventEmitter<LoadStats | undefined>();
  readonly onDidChangeLoad = this.loadChanged.event;
  private live: LiveSession | undefined;
  private sessionSubscriptions: vscode.Disposable[] = [];

  constructor(private readonly log: Logger) {}

  get current(): LiveSession | undefined {
    return this.live;
  }

  async start(
    target: SessionTarget,
    samplingIntervalMs: number,
    signal?: AbortSignal,
  ): Promise<LiveSession> {
    await this.stop();
    const live = await LiveSession.start(target, samplingIntervalMs, this.log, signal);
    this.live = live;
    this.sessionSubscriptions = [
      live.onDidChangeServiceState(() => this.announce()),
      live.onDidChangeLoad((stats) => {
        this.loadChanged.fire(stats);
        this.announce();
      }),
      live.onDidEnd(() => {
        if (this.live === live) this.forget();
      }),
    ];
    this.log.info('inspector', `Session started: ${live.label} (${live.serviceNames.join(', ')})`);
    this.announce();
    return live;
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

  async stop(): Promise<void> {
    const live = this.live;
    if (!live) return;
    this.forget();
    await live.stop();
    this.log.info('inspector', `Session stopped: ${live.label}`);
  }

  private forget(): void {
    for (const s of this.sessionSubscriptions) s.dispose();
    this.sessionSubscriptions = [];
    this.live = undefined;
    this.announce();
  }

  private announce(): void {
    void vscode.commands.executeCommand(
      'setContext',
      'leakHunt.sessionRunning',
      this.live?.isRunning ?? false,
    );
    void vscode.commands.executeCommand(
      'setContext',
      'leakHunt.loadRunning',
      this.live?.isLoadRunning ?? false,
    );
    this.changed.fire(this.live);
  }

  dispose(): void {
    void this.stop();
    this.changed.dispose();
    this.loadChanged.dispose();
  }
}
