import { join } from 'node:path';
import { isAbortError } from '../../common/abort';
import * as vscode from 'vscode';
import type { LoadStats } from '../../load';
import { registerCommand } from '../commands';
import { describeError } from '../logger';
import type { SnapshotInfo, SuspectsResult } from '../protocol';
import type { ExtensionServices } from '../services';
import { readSettings } from '../settings';
import { ensureTrusted } from '../trust';
import { runExerciseSetup } from '../exercises/setup';
import { HeapExplorerPanel } from '../explorer/heapExplorerPanel';
import { workerDiff } from '../explorer/heapAnalysis';
import { runHuntPipeline } from '../../hunt/pipeline';
import { planFromManifest } from '../../hunt/plan';
import type { LiveSession, LoadSettings } from './liveSession';

export interface LoadArgs {
  count?: number;
  rate?: number;
  concurrency?: number;
}

export function registerSessionCommands(services: ExtensionServices): void {
  services.context.subscriptions.push(
    registerCommand(services.log, 'leakHunt.startServices', (args) =>
      startServices(services, args?.restart ?? false),
    ),
    registerCommand(services.log, 'leakHunt.stopServices', () => services.sessions.stop()),
    registerCommand(services.log, 'leakHunt.startLoad', (args) => startLoad(services, args ?? {})),
    registerCommand(
      services.log,
      'leakHunt.stopLoad',
      () => services.sessions.current?.stopLoad() ?? Promise.resolve(),
    ),
    registerCommand(services.log, 'leakHunt.takeSnapshot', (args) =>
      takeSnapshot(services, args ?? {}),
    ),
    registerCommand(services.log, 'leakHunt.findLeak', (args) => findLeak(services, args ?? {})),
    registerCommand(services.log, 'leakHunt.attach', (address) =>
      attachToProcess(services, address),
    ),
  );
}

/** Where snapshots go: the setting, else `.leakhunt/snapshots` in the workspace, else global storage. */
export function snapshotFolder(services: ExtensionServices): string {
  const configured = readSettings().snapshotFolder;
  if (configured) return configured;
  const workspace =
    services.currentExercise.value?.workspaceDir ??
    vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
  return workspace
    ? join(workspace, '.leakhunt', 'snapshots')
    : join(services.context.globalStorageUri.fsPath, 'snapshots');
}

function requireSession(services: ExtensionServices): LiveSession {
  const live = services.sessions.current;
  if (!live?.isRunning)
    throw new Error(
      'No services are running. Run "Leak Hunt: Start Services" (or attach to a Node process) first.',
    );
  return live;
}

async function startServices(
  services: ExtensionServices,
  restart: boolean,
): Promise<string[] | undefined> {
  if (!(await ensureTrusted('start services'))) return undefined;
  const current = services.currentExercise.value ?? (await services.currentExercise.detect());
  if (!current) {
    const choice = await vscode.window.showInformationMessage(
      'This workspace holds no Leak Hunt exercise. Open an exercise, or attach to a Node process you started with --inspect.',
      'Open Exercise…',
      'Attach to Node Process…',
    );
    if (choice === 'Open Exercise…') await vscode.commands.executeCommand('leakHunt.openExercise');
    if (choice === 'Attach to Node Process…')
      await vscode.commands.executeCommand('leakHunt.attach');
    return undefined;
  }
  if (!(await services.consent.allows(current.exercise))) return undefined;
  const { manifest } = current.exercise;
  const settings = readSettings();
  const live = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Starting ${manifest.services.map((s) => s.name).join(', ')}`,
      cancellable: true,
    },
    async (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      if (restart) {
        // The services run the built code of an exercise with a setup step: stop them, build.
        await services.sessions.stop();
        await runExerciseSetup(current.exercise, current.workspaceDir, services, progress, token);
      }
      return services.sessions.start(
        {
          kind: 'services',
          label: manifest.title,
          appDir: current.workspaceDir,
          manifest,
          nodePath: settings.nodePath,
        },
        settings.samplingIntervalMs,
        controller.signal,
      );
    },
  );
  HeapExplorerPanel.show(services, { view: 'live' });
  return live.serviceNames;
}

function loadSettings(services: ExtensionServices, args: LoadArgs): LoadSettings {
  const defaults = readSettings().defaultLoad;
  const live = requireSession(services);
  if (live.target.kind !== 'services')
    throw new Error(
      'Load needs services started by Leak Hunt; drive an attached process with your own traffic.',
    );
  const profile = live.target.manifest.load;
  return {
    requests: profile.requests,
    rate: args.rate ?? profile.rate ?? defaults.rate,
    concurrency: args.concurrency ?? profile.concurrency ?? defaults.concurrency,
    count: args.count ?? profile.count ?? defaults.count,
  };
}

async function startLoad(
  services: ExtensionServices,
  args: LoadArgs,
): Promise<LoadStats | undefined> {
  const live = requireSession(services);
  const settings = loadSettings(services, args);
  const run = live.startLoad(settings);
  void vscode.window.setStatusBarMessage(
    `$(dashboard) Leak Hunt: sending ${settings.count} requests…`,
    run,
  );
  try {
    const stats = await run;
    const failed = stats.non2xx + stats.errors;
    services.log.info(
      'inspector',
      `Load: ${stats.sent} sent, ${stats.ok} ok, ${failed} failed, ${stats.requestsPerSecond} req/s, p95 ${stats.p95Ms} ms`,
    );
    if (failed > stats.sent / 10) {
      void vscode.window
        .showWarningMessage(
          `Load finished, but ${failed} of ${stats.sent} requests failed. Is a service down?`,
          'Show Log',
        )
        .then((c) => c && services.log.show());
    }
    return stats;
  } catch (error) {
    // Stopped by the learner, by Find Leak, or by the session ending (whose own message says why).
    if (isAbortError(error) || !live.isRunning) return undefined;
    throw error;
  }
}

async function pickService(
  live: LiveSession,
  preferred: string | undefined,
  title: string,
): Promise<string | undefined> {
  if (preferred) return preferred;
  const names = live.serviceNames.filter((name) => live.serviceState(name)?.state === 'running');
  if (names.length <= 1) return names[0];
  const items = names
    .map((name) => ({ name, slope: live.serviceState(name)?.bytesPerRequest }))
    .sort((a, b) => (b.slope ?? -Infinity) - (a.slope ?? -Infinity))
    .map(({ name, slope }) => ({
      label: name,
      description: slope === undefined ? 'no load yet' : `${formatSigned(slope)} B per request`,
    }));
  return (await vscode.window.showQuickPick(items, { title, placeHolder: 'Which service?' }))
    ?.label;
}

function formatSigned(value: number): string {
  return `${value > 0 ? '+' : ''}${value.toLocaleString()}`;
}

async function captureSnapshot(
  services: ExtensionServices,
  live: LiveSession,
  service: string,
  label: string,
  progress?: { report(value: { message?: string }): void },
  signal?: AbortSignal,
): Promise<SnapshotInfo> {
  const pending: SnapshotInfo = {
    id: `pending:${service}:${Date.now()}`,
    file: '',
    label,
    takenAt: Date.now(),
    sizeBytes: 0,
    service,
    state: 'capturing',
    progress: 0,
  };
  services.snapshots.add(pending);
  let lastPercent = -1;
  try {
    const { file, bytes, takenAt } = await live.takeSnapshot(
      service,
      snapshotFolder(services),
      label,
      {
        signal,
        onProgress: (fraction) => {
          services.snapshots.setProgress(pending.id, fraction);
          const percent = Math.round(fraction * 100);
          if (percent === lastPercent) return;
          lastPercent = percent;
          progress?.report({ message: `${label}: ${percent}%` });
        },
      },
    );
    services.snapshots.remove(pending.id);
    const info = services.snapshots.add({
      id: file,
      file,
      label,
      takenAt,
      sizeBytes: bytes,
      service,
      state: 'ready',
    });
    const scripts = live.scriptMap(service);
    if (scripts) services.snapshots.setScripts(info.id, scripts);
    const exerciseId = services.currentExercise.value?.exercise.manifest.id;
    if (exerciseId) void services.progress.snapshotTaken(exerciseId);
    return info;
  } catch (error) {
    services.snapshots.remove(pending.id);
    throw error;
  }
}

async function takeSnapshot(
  services: ExtensionServices,
  args: { service?: string; label?: string },
): Promise<string | undefined> {
  const live = requireSession(services);
  const service = await pickService(live, args.service, 'Take Heap Snapshot');
  if (!service) return undefined;
  const label =
    args.label ??
    `Snapshot ${services.snapshots.list().filter((s) => s.service === service).length + 1}`;
  const info = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Heap snapshot of ${service}`,
      cancellable: true,
    },
    (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      return captureSnapshot(services, live, service, label, progress, controller.signal);
    },
  );
  return info.id;
}

/**
 * Find Leak: the one hunt pipeline (the same as `leakhunt hunt`) on the running session's
 * services, with the exercise's load profile unthrottled. Its snapshots join the Session view as
 * they are taken; the suspects and the verdict open in the Heap Explorer.
 */
async function findLeak(
  services: ExtensionServices,
  args: { service?: string; count?: number },
): Promise<SuspectsResult | undefined> {
  const live = requireSession(services);
  if (live.target.kind !== 'services') {
    void vscode.window.showInformationMessage(
      'Find Leak drives load itself, which needs an exercise. For an attached process: take a snapshot, drive your own traffic, take two more, then pick all three under Leak suspects in the Heap Explorer.',
    );
    HeapExplorerPanel.show(services, { view: 'suspects' });
    return undefined;
  }
  const { manifest } = live.target;
  const plan = planFromManifest(manifest, 'hunt', SUSPECTS_SHOWN);
  if (args.service) plan.service = args.service;
  if (args.count) plan.requestsPerRung = args.count;
  const concurrency = manifest.load.concurrency ?? readSettings().defaultLoad.concurrency;
  await live.stopLoad();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const snapshotDir = join(snapshotFolder(services), `find-leak-${stamp}`);
  const exerciseId = services.currentExercise.value?.exercise.manifest.id;
  const ids: string[] = [];
  const report = await vscode.window
    .withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: 'Finding the leak',
        cancellable: true,
      },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        const { rig, done } = live.huntRig(controller.signal, concurrency);
        let reported = 0;
        try {
          return await runHuntPipeline(rig, plan, {
            snapshotDir,
            diff: workerDiff(services.heap),
            onEvent: (event) => {
              services.log.info('inspector', `Find Leak: ${event.message.trim()}`);
              const fraction = event.fraction ?? reported;
              progress.report({
                message: event.message.trim(),
                increment: Math.max(0, (fraction - reported) * 100),
              });
              reported = Math.max(reported, fraction);
            },
            onSnapshot: (taken) => {
              const label = `${taken.label[0]!.toUpperCase()}${taken.label.slice(1)}`;
              live.markSnapshot(taken.service, taken.file, label, taken.takenAt);
              const info = services.snapshots.add({
                id: taken.file,
                file: taken.file,
                label,
                takenAt: taken.takenAt,
                sizeBytes: taken.bytes,
                service: taken.service,
                state: 'ready',
              });
              const scripts = live.scriptMap(taken.service);
              if (scripts) services.snapshots.setScripts(info.id, scripts);
              if (exerciseId) void services.progress.snapshotTaken(exerciseId);
              ids.push(info.id);
            },
          });
        } finally {
          done();
        }
      },
    )
    .then(
      (value) => value,
      (error: unknown) => {
        if (!isAbortError(error)) throw error;
        return undefined;
      },
    );
  if (!report) {
    void vscode.window.showInformationMessage(
      'Find Leak was stopped. The snapshots taken so far stay in the Session view.',
    );
    return undefined;
  }
  const [baselineId, targetId, finalId] = ids as [string, string, string];
  const result: SuspectsResult = {
    baselineId,
    targetId,
    finalId,
    suspects: report.suspects,
    verdict: {
      verdict: report.verdict,
      reason: report.reason,
      ...(report.advice ? { advice: report.advice.text } : {}),
    },
  };
  HeapExplorerPanel.show(services, { view: 'suspects', suspects: result });
  return result;
}

/** Suspects Find Leak asks for: the Heap Explorer folds the small ones into one row. */
const SUSPECTS_SHOWN = 20;

async function attachToProcess(
  services: ExtensionServices,
  address: string | undefined,
): Promise<string[] | undefined> {
  const value =
    address ??
    (await vscode.window.showInputBox({
      title: 'Attach to Node Process',
      prompt:
        'The inspector port or ws:// URL of a Node process started with --inspect (on this machine only)',
      placeHolder: '9229 or ws://127.0.0.1:9229/…',
      validateInput: (text) =>
        isLoopbackInspector(text)
          ? undefined
          : 'A port number, or a ws:// URL on 127.0.0.1 / localhost',
    }));
  if (!value) return undefined;
  // The inspector runs code in the target: never connect anywhere but this machine.
  if (!isLoopbackInspector(value))
    throw new Error(
      `Leak Hunt only attaches to inspectors on this machine (127.0.0.1, localhost or [::1]), not ${value}.`,
    );
  try {
    const live = await services.sessions.attach(value, readSettings().samplingIntervalMs);
    HeapExplorerPanel.show(services, { view: 'live' });
    return live.serviceNames;
  } catch (error) {
    services.log.error('inspector', `Attach to ${value} failed`, error);
    throw new Error(
      `Could not attach to ${value}: ${describeError(error).split('\n')[0]}. Is the process running with --inspect on this machine?`,
    );
  }
}

function isLoopbackInspector(text: string): boolean {
  const value = text.trim();
  return (
    /^\d{1,5}$/.test(value) ||
    /^wss?:\/\/(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])(:\d{1,5})?\//.test(value)
  );
}
