import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AbortError, isAbortError } from '../../../src/common/abort';
import {
  HeapSnapshotError,
  HeapWorkerExitedError,
  SnapshotNotOpenError,
  type HeapSnapshotProblem,
} from '../../../src/heap/errors';
import { readSnapshot } from '../../../src/heap/reader';
import { HeapWorkerClient } from '../../../src/heap/workerClient';

// Callers tell errors apart by class and fields, never by their message: the editor retries an
// evicted snapshot, restarts a dead worker and picks a next step from the problem.

const workerScript = join(__dirname, '../../../src/heap/worker.js');
const bad = join(__dirname, '../../../../test/fixtures/heap/bad');
const dir = mkdtempSync(join(tmpdir(), 'leakhunt-errors-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const sort = { column: 'retainedSize' as const, descending: true };

async function withClient(
  script: string,
  use: (client: HeapWorkerClient) => Promise<void>,
): Promise<void> {
  const client = new HeapWorkerClient(script);
  try {
    await use(client);
  } finally {
    await client.dispose();
  }
}

test('a query on a handle the worker does not hold rejects with SnapshotNotOpenError', () =>
  withClient(workerScript, async (client) => {
    const call = client.call('classesPage', {
      handle: 4711,
      query: { sort, filter: '', start: 0, count: 1 },
    });
    await assert.rejects(call, (error: unknown) => {
      assert.ok(error instanceof SnapshotNotOpenError, String(error));
      assert.equal(error.handle, 4711);
      return true;
    });
  }));

test('a worker that dies fails its pending calls with HeapWorkerExitedError', () => {
  const dying = join(dir, 'dying.js');
  writeFileSync(
    dying,
    "require('node:worker_threads').parentPort.on('message', () => process.exit(3));",
  );
  return withClient(dying, async (client) => {
    await assert.rejects(client.call('open', { file: join(dir, 'none') }), (error: unknown) => {
      assert.ok(error instanceof HeapWorkerExitedError, String(error));
      assert.equal(error.exitCode, 3);
      return true;
    });
  });
});

test('bad files say what is wrong as a problem, in process and across the worker', () =>
  withClient(workerScript, async (client) => {
    const cases: [string, HeapSnapshotProblem][] = [
      [join(bad, 'empty.heapsnapshot'), 'incomplete'],
      [join(bad, 'truncated-in-edges.heapsnapshot'), 'incomplete'],
      [join(bad, 'not-a-snapshot.heapsnapshot'), 'not-a-snapshot'],
      [join(bad, 'edge-out-of-range.heapsnapshot'), 'malformed'],
      [join(dir, 'missing.heapsnapshot'), 'unreadable'],
    ];
    for (const [file, problem] of cases) {
      const expected = (error: unknown): boolean => {
        assert.ok(error instanceof HeapSnapshotError, `${file}: ${String(error)}`);
        assert.equal(error.problem, problem, file);
        return true;
      };
      await assert.rejects(readSnapshot(file), expected);
      await assert.rejects(client.call('open', { file }), expected);
    }
  }));

test('a cancelled worker call is an AbortError; so is the platform abort reason', async () => {
  await withClient(workerScript, async (client) => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      client.call('open', { file: join(dir, 'x') }, { signal: controller.signal }),
      (error: unknown) => error instanceof AbortError,
    );
  });
  const platform = new AbortController();
  platform.abort();
  assert.ok(isAbortError(platform.signal.reason));
  assert.ok(!isAbortError(new Error('the operation was aborted')));
});
