import type * as vscode from 'vscode';

/**
 * A scope of things to dispose together, e.g. everything one live session created. Anything
 * added after the scope was disposed is disposed at once, so a late callback cannot leak.
 */
export class DisposableStore implements vscode.Disposable {
  private readonly items: { dispose(): void }[] = [];
  private disposed = false;

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Adds one disposable (VS Code's or the core's own `{ dispose() }`) and returns it. */
  add<T extends { dispose(): void }>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.push(item);
    return item;
  }

  addAll(...items: { dispose(): void }[]): void {
    for (const item of items) this.add(item);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // Last in, first out: later items may depend on earlier ones.
    for (const item of this.items.splice(0).reverse()) {
      try {
        item.dispose();
      } catch {
        // One failing disposer must not keep the others from running.
      }
    }
  }
}
