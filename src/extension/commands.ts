import * as vscode from 'vscode';
import type { CommandId, CommandSignatures } from './commandIds';

type Handler<K extends CommandId> = (
  ...args: Parameters<CommandSignatures[K]>
) => ReturnType<CommandSignatures[K]> | Promise<ReturnType<CommandSignatures[K]>>;

/** Registers a handler with the signature its id promises. */
export function registerCommand<K extends CommandId>(
  id: K,
  handler: Handler<K>,
): vscode.Disposable {
  return vscode.commands.registerCommand(id, handler as (...args: unknown[]) => unknown);
}
