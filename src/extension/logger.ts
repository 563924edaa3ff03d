import * as vscode from 'vscode';

/** Areas of the extension that log; shown as a `[tag]` prefix so one channel stays readable. */
export type LogTag =
  | 'activation'
  | 'commands'
  | 'exercises'
  | 'inspector'
  | 'snapshot'
  | 'worker'
  | 'webview'
  | 'tests'
  | 'progress';

/** The small logging surface every feature receives; backed by one `LogOutputChannel`. */
export interface Logger extends vscode.Disposable {
  trace(tag: LogTag, message: string): void;
  info(tag: LogTag, message: string): void;
  warn(tag: LogTag, message: string): void;
  /** Logs the message with the error's stack (and its causes) when there is one. */
  error(tag: LogTag, message: string, error?: unknown): void;
  show(): void;
}

export function createLogger(name = 'Leak Hunt'): Logger {
  const channel = vscode.window.createOutputChannel(name, { log: true });
  return {
    trace: (tag, message) => channel.trace(`[${tag}] ${message}`),
    info: (tag, message) => channel.info(`[${tag}] ${message}`),
    warn: (tag, message) => channel.warn(`[${tag}] ${message}`),
    error: (tag, message, error) =>
      channel.error(`[${tag}] ${message}${error === undefined ? '' : `\n${describeError(error)}`}`),
    show: () => channel.show(true),
    dispose: () => channel.dispose(),
  };
}

/** Stack of an error followed by the stacks of its `cause` chain. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    if (current instanceof Error) {
      parts.push(current.stack ?? `${current.name}: ${current.message}`);
      current = current.cause;
    } else {
      parts.push(String(current));
      current = undefined;
    }
  }
  return parts.join('\nCaused by: ');
}
