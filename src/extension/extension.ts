import { join } from 'node:path';
import * as vscode from 'vscode';
import { builtInExercisesDir } from '../common/packageRoot';
import type { LeakHuntApi } from './api';
import { CodeRuns } from './codeRuns';
import { registerCommand } from './commands';
import { ExercisesProvider } from './exercises/exercisesView';
import { PackConsent } from './exercises/consent';
import { registerDebrief } from './exercises/debrief';
import { registerHints } from './exercises/hints';
import { registerImportPack } from './exercises/importPack';
import { CurrentExercise, ExerciseLibrary } from './exercises/library';
import { registerExerciseCommands } from './exercises/openExercise';
import { registerWalkthroughProgress } from './exercises/walkthrough';
import { registerExplorer } from './explorer/explorerCommands';
import { openSource } from './explorer/openSource';
import { SnapshotRegistry } from './explorer/snapshots';
import { WorkerHeapAnalysis } from './explorer/workerAnalysis';
import { createLogger, describeError, type Logger } from './logger';
import { ProgressTracking, registerProgress } from './progress/progressTracking';
import type { ExtensionServices } from './services';
import { registerSessionCommands } from './session/sessionCommands';
import { SessionManager } from './session/sessionManager';
import { registerSessionView } from './session/sessionView';
import { registerRestartPrompt } from './session/restartPrompt';
import { registerStatusBar } from './session/statusBar';
import { registerTesting } from './testing/testController';

/** What deactivation must wait for: stopping the live session kills its processes. */
let stopSessions: (() => Promise<void>) | undefined;

/** Builds the services once, then lets each feature register itself. Nothing heavy runs here. */
export function activate(context: vscode.ExtensionContext): LeakHuntApi | undefined {
  const started = performance.now();
  const log = createLogger();
  context.subscriptions.push(log);
  try {
    const services = createServices(context, log);
    stopSessions = () => services.sessions.stop();
    registerExercises(services);
    registerExerciseCommands(services);
    registerHints(services);
    registerDebrief(services);
    registerImportPack(services);
    registerSessionCommands(services);
    registerSessionView(services);
    registerRestartPrompt(services);
    registerStatusBar(services);
    registerExplorer(services);
    const tests = registerTesting(services);
    registerProgress(services);
    registerWalkthroughProgress(services);
    context.subscriptions.push(registerCommand(log, 'leakHunt.showLog', () => log.show()));
    void services.currentExercise
      .detect()
      .then((current) => current && showScenarioOnFirstVisit(services));
    log.info('activation', `activated in ${(performance.now() - started).toFixed(1)} ms`);
    return { services, openSource, runExerciseTests: () => tests.runExerciseTests() };
  } catch (error) {
    log.error('activation', 'Leak Hunt failed to activate', error);
    void vscode.window
      .showErrorMessage(
        `Leak Hunt failed to start: ${describeError(error).split('\n')[0]}`,
        'Show Log',
      )
      .then((choice) => choice && log.show());
    return undefined;
  }
}

function createServices(context: vscode.ExtensionContext, log: Logger): ExtensionServices {
  const storage = context.globalStorageUri.fsPath;
  const library = new ExerciseLibrary(builtInExercisesDir(), join(storage, 'packs'), log);
  const currentExercise = new CurrentExercise(library, log);
  const sessions = new SessionManager(log);
  const snapshots = new SnapshotRegistry(context.workspaceState);
  const heap = new WorkerHeapAnalysis(
    vscode.Uri.joinPath(context.extensionUri, 'dist', 'heapWorker.js').fsPath,
    log,
  );
  const progress = new ProgressTracking(join(storage, 'progress'), library, log);
  const runs = new CodeRuns();
  const consent = new PackConsent(context.globalState, library.packsDir, log);
  context.subscriptions.push(library, currentExercise, sessions, snapshots, heap, progress, runs);
  return {
    context,
    log,
    library,
    currentExercise,
    sessions,
    snapshots,
    heap,
    progress,
    runs,
    consent,
  };
}

function registerExercises(services: ExtensionServices): void {
  const provider = new ExercisesProvider(services.library, (setId, id) =>
    services.progress.statusOf(setId, id),
  );
  services.context.subscriptions.push(
    provider,
    vscode.window.registerTreeDataProvider('leakHunt.exercises', provider),
    services.progress.onDidChange(() => provider.refresh()),
    registerCommand(services.log, 'leakHunt.refreshExercises', () => services.library.refresh()),
  );
}

/** The bug report is the first thing a learner should read, once per workspace. */
async function showScenarioOnFirstVisit(services: ExtensionServices): Promise<void> {
  const key = 'leakHunt.scenarioShown';
  if (services.context.workspaceState.get<boolean>(key)) return;
  await services.context.workspaceState.update(key, true);
  await vscode.commands.executeCommand('leakHunt.showScenario');
}

export async function deactivate(): Promise<void> {
  // Everything else is disposed through context.subscriptions; processes need to be awaited.
  await stopSessions?.();
}
