import type * as vscode from 'vscode';

/**
 * Every running setup step, test run and leak check, so they can be stopped together: before a
 * reset rewrites the files under them, and when the window closes (their process groups are
 * killed on abort, so nothing keeps running without its timeout).
 */
export class CodeRuns implements vscode.Disposable {
  private readonly running = new Set<AbortController>();

  /** A signal for one run; `end` must be called when it finishes. `linked` also aborts it. */
  begin(linked?: { onCancellationRequested(listener: () => void): vscode.Disposable }): {
    signal: AbortSignal;
    end(): void;
  } {
    const controller = new AbortController();
    this.running.add(controller);
    const subscription = linked?.onCancellationRequested(() => controller.abort());
    return {
      signal: controller.signal,
      end: () => {
        subscription?.dispose();
        this.running.delete(controller);
      },
    };
  }

  get count(): number {
    return this.running.size;
  }

  cancelAll(): void {
    for (const controller of this.running) controller.abort();
    this.running.clear();
  }

  dispose(): void {
    this.cancelAll();
  }
}
