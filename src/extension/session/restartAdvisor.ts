/**
 * When to suggest restarting the services after the learner edits their code: running services
 * keep the code they started with, so without a restart the chart goes on showing the old code's
 * growth. No `vscode` import, so the decision is unit-tested with fake timers.
 */

/** Code a service may load: sources, their build output, `package.json`. */
const CODE_FILE = /\.(?:[cm]?js|[cm]?ts|jsx|tsx|json)$/i;
/** Folders no service loads its code from: dependencies, tests, tool and Leak Hunt state. */
const IGNORED_FOLDER = /^(?:node_modules|test|tests|__tests__|\..*)$/;
/** Test files next to the code they test. */
const TEST_FILE = /\.(?:test|spec)\.[^.]+$/i;

/**
 * Whether a change to `relativePath` (relative to the app folder, either separator) can change
 * what a running service does. Snapshots written under `.leakhunt/`, test files and
 * `node_modules` do not.
 */
export function affectsServices(relativePath: string): boolean {
  const segments = relativePath.split(/[\\/]+/).filter(Boolean);
  const name = segments.at(-1);
  if (!name || segments[0] === '..') return false;
  if (segments.slice(0, -1).some((folder) => IGNORED_FOLDER.test(folder))) return false;
  return CODE_FILE.test(name) && !TEST_FILE.test(name) && !name.startsWith('.');
}

export interface RestartAdvisorOptions {
  /** Quiet time after the last change before the burst counts as finished (a save-all, a build). */
  quietMs: number;
  /**
   * Shows the suggestion for the files changed in the burst; resolves when it is closed
   * (answered or dismissed). Changes while it is open are covered by it.
   */
  prompt: (changed: readonly string[]) => PromiseLike<unknown>;
  setTimeout?: (callback: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

/**
 * Collects changes to the app's files while services run and asks `prompt` once per burst of
 * changes: after `quietMs` without another change, and never while an earlier prompt is open.
 * One advisor per session; `dispose` when the session ends.
 */
export class RestartAdvisor {
  private readonly changed = new Set<string>();
  private timer: unknown;
  private prompting = false;
  private disposed = false;
  private readonly schedule: (callback: () => void, ms: number) => unknown;
  private readonly cancel: (handle: unknown) => void;

  constructor(private readonly options: RestartAdvisorOptions) {
    this.schedule = options.setTimeout ?? ((callback, ms) => setTimeout(callback, ms));
    this.cancel =
      options.clearTimeout ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  }

  /** A file under the app folder was created, changed or deleted. */
  fileChanged(relativePath: string): void {
    if (this.disposed || this.prompting || !affectsServices(relativePath)) return;
    this.changed.add(relativePath.replace(/\\/g, '/'));
    if (this.timer !== undefined) this.cancel(this.timer);
    this.timer = this.schedule(() => this.burstEnded(), this.options.quietMs);
  }

  private burstEnded(): void {
    this.timer = undefined;
    if (this.disposed || this.changed.size === 0) return;
    const files = [...this.changed].sort();
    this.changed.clear();
    this.prompting = true;
    const closed = (): void => {
      this.prompting = false;
    };
    Promise.resolve(this.options.prompt(files)).then(closed, closed);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) this.cancel(this.timer);
    this.timer = undefined;
  }
}
