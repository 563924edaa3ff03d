import * as vscode from 'vscode';
import { builtInExercisesDir } from '../common/packageRoot';
import { registerCommand } from './commands';
import { ExercisesProvider } from './exercisesView';
import { createLogger, describeError, type Logger } from './logger';

/** Services every feature receives; built once in `activate`. */
export interface ExtensionServices {
  context: vscode.ExtensionContext;
  log: Logger;
}

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = createLogger();
  context.subscriptions.push(log);
  try {
    const services: ExtensionServices = { context, log };
    registerExercises(services);
    registerCommands(services);
    log.info('activation', `activated in ${(performance.now() - started).toFixed(1)} ms`);
  } catch (error) {
    log.error('activation', 'Leak Hunt failed to activate', error);
    void vscode.window
      .showErrorMessage(
        `Leak Hunt failed to start: ${describeError(error).split('\n')[0]}`,
        'Show Log',
      )
      .then((choice) => choice && log.show());
  }
}

function registerExercises({ context, log }: ExtensionServices): void {
  const provider = new ExercisesProvider(() => [builtInExercisesDir()], log);
  context.subscriptions.push(
    provider,
    vscode.window.registerTreeDataProvider('leakHunt.exercises', provider),
    registerCommand('leakHunt.refreshExercises', () => provider.refresh()),
  );
}

function registerCommands({ context, log }: ExtensionServices): void {
  context.subscriptions.push(registerCommand('leakHunt.showLog', () => log.show()));
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
