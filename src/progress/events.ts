/** Same shape as VS Code's `Disposable`, so the editor can push it into its subscriptions. */
export interface Disposable {
  dispose(): void;
}

/** Same shape as VS Code's `Event<T>`: subscribe with a listener, unsubscribe by disposing. */
export type Event<T> = (listener: (value: T) => void) => Disposable;

/**
 * A tiny event emitter for the core (which must not import `vscode`). A throwing listener does
 * not stop the others; its error is rethrown asynchronously so it still surfaces in the log.
 */
export class Emitter<T> {
  private readonly listeners = new Set<(value: T) => void>();

  readonly event: Event<T> = (listener) => {
    const wrapped = (value: T): void => listener(value);
    this.listeners.add(wrapped);
    return { dispose: () => this.listeners.delete(wrapped) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
