import * as vscode from 'vscode';
import type { CommandId, CommandSignatures } from './commandIds';
import type { Logger } from './logger';

type Handler<K extends CommandId> = (
  ...args: Parameters<CommandSignatures[K]>
) => ReturnType<CommandSignatures[K]> | Promise<ReturnType<CommandSignatures[K]>>;

/**
 * Registers a handler with the signature its id promises. A failure is logged with its stack
 * and shown once, as the error's own message with a "Show Log" action; the command then
 * resolves to undefined (rethrowing would make VS Code show a second, vaguer error).
 */
export function registerCommand<K extends CommandId>(
  log: Logger,
  id: K,
  handler: Handler<K>,
): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await (handler as (...a: unknown[]) => unknown)(...args);
    } catch (error) {
      log.error('commands', `${id} failed`, error);
      const message = error instanceof Error ? error.message : String(error);
      void vscode.window
        .showErrorMessage(message, 'Show Log')
        .then((choice) => choice && log.show());
      return undefined;
    }
  });
}
