import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadExercise } from '../../../src/exercises/exercise';
import { workerDiff } from '../../../src/extension/explorer/heapAnalysis';
import { WorkerHeapAnalysis } from '../../../src/extension/explorer/workerAnalysis';
import type { Logger } from '../../../src/extension/logger';
import { huntApp, inProcessDiff, type SnapshotDiff } from '../../../src/hunt';
import { miniLeakDir } from '../inspector/support';

// The transpiled heap worker of this build (dist/heapWorker.js in the extension).
const workerScript = join(__dirname, '../../../src/heap/worker.js');

const quiet: Logger = {
  trace: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  show: () => undefined,
  dispose: () => undefined,
};

test("the editor's Find Leak (heap worker) and the CLI's hunt report the same suspects from the same snapshots", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'leakhunt-same-'));
  const editor = new WorkerHeapAnalysis(workerScript, quiet);
  try {
    const { appDir, manifest } = await loadExercise(miniLeakDir);
    let scripts: Record<number, string> = {};
    // The CLI's diff, remembering the script map the session handed it.
    const cliDiff: SnapshotDiff = (files, options) => {
      scripts = options.scripts;
      return inProcessDiff(files, options);
    };
    const report = await huntApp({
      kind: 'hunt',
      appDir,
      manifest,
      snapshotDir: dir,
      diff: cliDiff,
    });
    const [baseline, target, final] = report.snapshots as [string, string, string];
    const files = { baseline, target, final };
    const options = { signal: new AbortController().signal, scripts, top: 5 };
    const inCli = await inProcessDiff(files, options);
    const inEditor = await workerDiff(editor)(files, options);
    assert.ok(inCli.suspects.length > 0);
    assert.deepEqual(inEditor.suspects, inCli.suspects);
    assert.deepEqual(inEditor.survivors, inCli.survivors);
    assert.deepEqual(report.suspects, inCli.suspects);
  } finally {
    editor.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});
