import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { sha256, toNative } from '../exercises/files';

/**
 * A fingerprint of the files a learner edits: the exercise's own app files (the marker's
 * pristine list), by content. Build output, test artefacts, progress and backups are not in it,
 * so a run that writes them does not trigger the next one; a save that changes nothing either.
 */
export async function fingerprintFiles(dir: string, files: readonly string[]): Promise<string> {
  const parts: string[] = [];
  for (const rel of files) {
    try {
      parts.push(`${rel} ${sha256(await readFile(toNative(dir, rel)))}`);
    } catch {
      parts.push(`${rel} missing`);
    }
  }
  return sha256(parts.join('\n'));
}

export interface RunOnChangeOptions {
  dir: string;
  /** Changes when the learner's files change (see `fingerprintFiles`). */
  fingerprint: () => Promise<string>;
  /** One verification; never runs twice at once. */
  run: () => Promise<void>;
  signal: AbortSignal;
  /** Quiet time after the last file event before looking again (editors save in bursts). */
  debounceMs?: number;
}

/**
 * Runs `run` once, then again whenever the fingerprint has changed after a burst of file events
 * under `dir`, until `signal` aborts. Runs never overlap: a change during a run is looked at
 * when the run ends.
 */
export async function runOnChange(options: RunOnChangeOptions): Promise<void> {
  const { signal, debounceMs = 300 } = options;
  let last = await options.fingerprint();
  await options.run();
  if (signal.aborted) return;
  let queue: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let failure: unknown;
  const runIfChanged = async (): Promise<void> => {
    if (signal.aborted) return;
    const now = await options.fingerprint();
    if (now === last) return;
    last = now;
    await options.run();
  };
  await new Promise<void>((resolveWatch, rejectWatch) => {
    const watcher = watch(options.dir, { recursive: true }, () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        queue = queue.then(runIfChanged).catch((error: unknown) => {
          failure = error;
          watcher.close();
        });
      }, debounceMs);
    });
    const stop = (): void => {
      clearTimeout(timer);
      watcher.close();
    };
    // A run in progress ends (its signal is aborted too) before the watch reports it ended.
    watcher.on('close', () => {
      void queue.then(() => (failure === undefined ? resolveWatch() : rejectWatch(failure)));
    });
    watcher.on('error', (error) => {
      failure = error;
      stop();
    });
    signal.addEventListener('abort', stop, { once: true });
  });
}
